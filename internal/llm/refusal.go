package llm

import (
	"regexp"
	"strings"
)

// The patterns below find model output that is not an email: a refusal,
// or text in which the model calls itself an AI or a language model. They
// cover the languages the template corpus writes (en, es, pt, fr, de).
//
// They are matched against text from normalizeForMatch. A false positive
// costs one message that the fallback generator writes instead, while a
// refusal delivered as mail gives the decoy away, so the patterns lean
// towards rejecting.

// refusalPatterns match a refusal sentence: an inability ("I can't",
// "no puedo"), a verb that an assistant refuses with ("help", "write")
// and an object that points at the request ("that request", "this
// email", "that."). An ordinary apology such as "I'm sorry, I can't make
// Thursday" has no such verb and object.
var refusalPatterns = []*regexp.Regexp{
	refusalPattern(
		`can't|cannot|can not|won't|will not|unable to|not able to|not comfortable|must decline to|have to decline to`,
		`help(?:ing)?|assist(?:ing)?|write|writing|create|creating|generate|generating|produce|compose|draft|drafting|fulfil|fulfill|comply|provide|respond`,
		`you|with|to|on|creating|writing|generating|drafting|producing|composing|fulfilling`,
		`that|this|such an?|such|these|those|your`,
		`requests?|e-?mails?|messages?|content|task|text|kind|type`,
	),
	refusalPattern(
		`no puedo|no podré|no podría|no me es posible|no estoy en condiciones de|no soy capaz de`,
		`ayudar(?:te|le|les)?|asistir(?:te|le|les)? con|escribir|redactar|crear|generar|cumplir|atender|proporcionar|elaborar|completar|realizar|responder`,
		`con|a|en|escribir|redactar|crear|generar`,
		`esa|esas|esta|estas|eso|esto|ese|esos|este|estos|tu|tus|su|sus|dicha|dicho|tal|tales`,
		`solicitud(?:es)?|petici[oó]n|peticiones|pedidos?|correos?(?: electr[oó]nicos?)?|mensajes?|contenido|tarea|texto|tipo`,
	),
	refusalPattern(
		`não posso|não consigo|não poderei|não poderia|não sou capaz de|não estou em condições de|não me é possível`,
		`ajudar|ajudá-lo|ajudá-la|ajudar-te|auxiliar|escrever|redigir|criar|gerar|atender|cumprir|fornecer|produzir|elaborar|responder`,
		`com|a|ao|à|em|você|te|lhe|escrever|redigir|criar|gerar`,
		`isso|isto|essa|essas|esta|estas|esse|esses|este|estes|sua|suas|seu|seus|tal|tais`,
		`solicitaç(?:ão|ões)|pedidos?|e-?mails?|mensage(?:m|ns)|conteúdo|tarefa|texto|tipo`,
	),
	refusalPattern(
		`ne peux pas|ne pourrai pas|ne pourrais pas|ne suis pas en mesure de|il m'est impossible de|je refuse de`,
		`aider|répondre|écrire|rédiger|créer|générer|satisfaire|donner suite|accéder|traiter|fournir|produire|accomplir`,
		`à|a|avec|pour|de|vous|te|écrire|rédiger|créer|générer`,
		`cette|ce|cet|ces|ça|cela|votre|vos|ta|ton|tes|une telle|un tel|de telles`,
		`demandes?|requêtes?|e-?mails?|courriels?|messages?|contenus?|tâches?|textes?|type`,
	),
	// German puts the verb last: "Dabei kann ich nicht helfen", "Ich kann
	// diese Anfrage leider nicht erfüllen".
	regexp.MustCompile(`(?:^|[^\p{L}])(?:dabei|damit|hierbei|hiermit|hierzu|dazu)[^.!?]{0,40}?[^\p{L}]nicht (?:helfen|behilflich sein|weiterhelfen|unterstützen)(?:[^\p{L}]|$)`),
	regexp.MustCompile(`(?:^|[^\p{L}])(?:diese[mnrs]?|ihre[mnrs]?|deine[mnrs]?|eine solche|solche[mnrs]?|so eine)\s+(?:anfrage|bitte|e-?mails?|nachrichte?n?|inhalte?|aufgabe|art von \p{L}+)[^.!?]{0,40}?[^\p{L}]nicht[^.!?]{0,20}?[^\p{L}](?:nachkommen|erfüllen|erstellen|schreiben|verfassen|generieren|umsetzen|helfen)(?:[^\p{L}]|$)`),
	regexp.MustCompile(`(?:^|[^\p{L}])ich bin (?:leider )?nicht in der lage,? (?:ihnen |dir )?(?:dabei|damit|diese|eine solche|solche)(?:[^\p{L}]|$)`),
	regexp.MustCompile(`(?:^|[^\p{L}])(?:ich (?:kann|werde|darf)|(?:kann|werde|darf) ich) (?:leider )?keine (?:e-?mails?|nachrichten?|inhalte?|texte?)[^.!?]{0,60}?[^\p{L}](?:erstellen|schreiben|verfassen|generieren)(?:[^\p{L}]|$)`),
	// Any language: refusing to pose as a real person.
	regexp.MustCompile(`(?:^|[^\p{L}])(?:can't|cannot|can not|won't|will not|unable|not able)[^.!?]{0,80}?[^\p{L}](?:impersonat|pretend(?:ing)? to be)`),
}

// refusalPattern builds a pattern for languages that put the verb before
// its object: inability, up to 40 characters of filler such as "be able
// to", verb, any prepositions, determiner, then a noun or the end of the
// sentence.
func refusalPattern(inability, verbs, prepositions, determiners, nouns string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\p{L}])(?:` + inability + `)[^.!?]{0,40}?[^\p{L}](?:` + verbs + `)` +
		`(?: (?:` + prepositions + `))* (?:` + determiners + `)` +
		`(?:(?: \p{L}+)? (?:` + nouns + `)(?:[^\p{L}]|$)|\s*[.!,;]|$)`)
}

// selfReferencePatterns match a model that calls itself an AI or a
// language model: "As an AI language model", "I'm an AI.", "Como modelo
// de lenguaje", "En tant qu'IA,", "Als KI-Sprachmodell", "Eu sou uma
// inteligência artificial".
var selfReferencePatterns = []*regexp.Regexp{
	selfReferencePattern(
		`as |being `,
		`i am |i'm `,
		`(?:just |only |merely |simply )?`,
		`(?:an? )?(?:ai language model|large language model|language model|ai assistant|ai model|ai chatbot|artificial intelligence(?: language model| assistant| model)?|ai (?:developed|created|trained|built|made) by)`,
		`(?:an )?ai`,
	),
	selfReferencePattern(
		`como |siendo `,
		`soy |yo soy `,
		`(?:solo |sólo |solamente |simplemente )?`,
		`(?:un |una )?(?:modelo de lenguaje|modelo de lenguaje de ia|modelo de ia|asistente de ia|asistente virtual|inteligencia artificial)`,
		`(?:una )?ia`,
	),
	selfReferencePattern(
		`como |sendo |enquanto `,
		`sou |eu sou `,
		`(?:apenas |só |somente |simplesmente )?`,
		`(?:um |uma )?(?:modelo de linguagem|modelo de ia|assistente de ia|assistente virtual|inteligência artificial)`,
		`(?:uma )?ia`,
	),
	selfReferencePattern(
		`en tant que |en tant qu'|étant `,
		`je suis |je ne suis `,
		`(?:seulement |juste |simplement |qu'un |qu'une |qu')?`,
		`(?:un |une )?(?:modèle de langage|modèle de langue|grand modèle de langage|modèle d'ia|assistant d'ia|assistant ia|assistant virtuel|assistante virtuelle|intelligence artificielle|ia conversationnelle)`,
		`(?:une )?ia`,
	),
	selfReferencePattern(
		`als `,
		`ich bin `,
		`(?:nur |lediglich |bloß |bloss )?`,
		`(?:ein |eine )?(?:ki-sprachmodell|sprachmodell|großes sprachmodell|ki-modell|ki-assistent(?:in)?|ki-chatbot|künstliche intelligenz)`,
		`(?:eine )?ki`,
	),
	// Mentions of training that no person makes.
	regexp.MustCompile(`(?:^|[^\p{L}])(?:my (?:training data|knowledge cut-?off|training cut-?off)|as of my last (?:update|training)|ich wurde von \p{L}+ trainiert|fui treinad[oa] por|fui entrenad[oa] por|j'ai été entraîné)`),
	// Credits to a model or an AI service, such as "This email was
	// generated by ChatGPT" or "Rédigé avec l'IA".
	regexp.MustCompile(`(?:^|[^\p{L}])(?:generated|written|created|drafted|composed|produced|powered) (?:by|with|using) (?:chatgpt|gpt-?\d|openai|claude|gemini|copilot|llama|an? (?:ai|llm|language model)|ai(?: tools?)?(?:[^\p{L}-]|$))`),
	regexp.MustCompile(`(?:^|[^\p{L}])(?:generado|escrito|creado|redactado|gerado|criado|redigido) (?:por|con|com) (?:chatgpt|una? ia|ia|inteligencia artificial|inteligência artificial)(?:[^\p{L}]|$)`),
	regexp.MustCompile(`(?:^|[^\p{L}])(?:généré|écrit|rédigé|créé)e? (?:par|avec) (?:chatgpt|une ia|l'ia|ia|l'intelligence artificielle)(?:[^\p{L}]|$)`),
	regexp.MustCompile(`(?:^|[^\p{L}])(?:generiert|erstellt|geschrieben|verfasst) (?:von|mit|durch) (?:chatgpt|einer ki|ki|künstlicher intelligenz)(?:[^\p{L}]|$)`),
}

// metaPhrase matches a model telling its user how it wrote the text, such
// as "I have written this in a formal tone as requested." People rarely
// write about the tone of their own email. So a paragraph like that makes
// the output unusable, unless it is a trailing italic note, which is
// removed.
var metaPhrase = regexp.MustCompile(`(?:^|[^\p{L}])(?:` +
	`i(?: have|'ve)? (?:written|wrote|drafted|composed|crafted|kept|made|used|adopted|aimed|tried)[^.!?]{0,60}?[^\p{L}](?:tone|as (?:you )?requested|per your (?:request|instructions))` +
	`|(?:he|lo he) (?:redactado|escrito|mantenido|usado|adoptado)[^.!?]{0,60}?[^\p{L}](?:tono|como (?:me )?(?:pediste|solicitaste|pidió|solicitó))` +
	`|(?:escrevi|redigi|mantive|usei|adotei)[^.!?]{0,60}?[^\p{L}](?:tom|como (?:solicitado|pedido|você pediu))` +
	`|j'ai (?:rédigé|écrit|gardé|utilisé|adopté)[^.!?]{0,60}?[^\p{L}](?:ton|comme (?:demandé|vous l'avez demandé))` +
	`|ich habe[^.!?]{0,60}?[^\p{L}](?:ton|wie gewünscht)[^.!?]{0,40}?[^\p{L}](?:verfasst|geschrieben|gehalten|gewählt|formuliert)` +
	`)(?:[^\p{L}]|$)`)

// reportedSpeech matches words that report what someone said, as in "I
// told them I can't help with that request." A refusal in such a sentence
// is the sender's story, not the model refusing.
var reportedSpeech = regexp.MustCompile(`(?:^|[^\p{L}])(?:told|tell|said|say|replied|answered|explained|le dije|les dije|dije|respondí|contesté|disse|respondi|expliquei|j'ai dit|leur ai dit|lui ai dit|répondu|expliqué|sagte|gesagt|antwortete|erklärte)(?:[^\p{L}]|$)`)

// containsRefusal reports whether text is a refusal. The first paragraph
// is checked whole. Later paragraphs, such as the one after a greeting,
// are checked sentence by sentence, and a sentence that reports speech
// does not count.
func containsRefusal(text string) bool {
	for i, paragraph := range paragraphs(text) {
		if i == 0 {
			if isRefusal(paragraph) {
				return true
			}
			continue
		}
		for _, sentence := range sentenceEnd.Split(paragraph, -1) {
			if isRefusal(sentence) && !reportedSpeech.MatchString(normalizeForMatch(sentence)) {
				return true
			}
		}
	}
	return false
}

// sentenceEnd matches the end of a sentence and the space after it.
var sentenceEnd = regexp.MustCompile(`[.!?]+(?:\s+|$)`)

// isRefusalOrMeta reports whether text contains a refusal or a paragraph
// in which a model talks about its own writing.
func isRefusalOrMeta(text string) bool {
	if containsRefusal(text) {
		return true
	}
	for _, paragraph := range paragraphs(text) {
		if metaPhrase.MatchString(normalizeForMatch(paragraph)) {
			return true
		}
	}
	return false
}

// paragraphs splits text at blank lines. A refusal after a greeting, as
// in "Hi Kenji,\n\nI'm sorry, but I can't help with this.", is in the
// second paragraph, so every paragraph is checked.
func paragraphs(text string) []string {
	var out []string
	var current []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			if len(current) > 0 {
				out = append(out, strings.Join(current, "\n"))
				current = nil
			}
			continue
		}
		current = append(current, line)
	}
	if len(current) > 0 {
		out = append(out, strings.Join(current, "\n"))
	}
	return out
}

// selfReferencePattern builds the self-reference patterns of one
// language. A long kind such as "language model" may follow "as" or "I
// am" anywhere. A short kind such as "AI" must be followed by
// punctuation or the end of the text, so "as an AI-first company" or
// "I'm an AI enthusiast" do not match.
func selfReferencePattern(as, iAm, hedge, longKind, shortKind string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\p{L}])(?:(?:` + as + `)|(?:` + iAm + `)` + hedge + `)` +
		`(?:(?:` + longKind + `)(?:[^\p{L}]|$)|(?:` + shortKind + `)\s*(?:[,.;:!]|$))`)
}

// isRefusal reports whether paragraph contains a refusal.
func isRefusal(paragraph string) bool {
	text := normalizeForMatch(paragraph)
	for _, p := range refusalPatterns {
		if p.MatchString(text) {
			return true
		}
	}
	return false
}

// mentionsBeingAI reports whether text contains a model calling itself an
// AI or a language model.
func mentionsBeingAI(text string) bool {
	text = normalizeForMatch(text)
	for _, p := range selfReferencePatterns {
		if p.MatchString(text) {
			return true
		}
	}
	return false
}

// matchNormalizer maps typographic apostrophes, which models often write,
// to ASCII and no-break spaces to spaces.
var matchNormalizer = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u02bc", "'", "\u00a0", " ", "\u202f", " ")

// normalizeForMatch returns text lowercased, with typographic apostrophes
// and no-break spaces replaced and every run of white space, line breaks
// included, collapsed to one space.
func normalizeForMatch(text string) string {
	return strings.Join(strings.Fields(matchNormalizer.Replace(strings.ToLower(text))), " ")
}
