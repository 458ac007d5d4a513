package generator

import (
	"math/rand/v2"
	"strings"
	"sync"
	"unicode"
)

// roleGroup ties words found in job titles, in the corpus languages, to
// the topics that people with such a title write about.
type roleGroup struct {
	// words are matched against the words of a role in lower case. A word
	// ending in "*" matches any word it starts; the others match whole
	// words only.
	words  []string
	topics []string
}

var roleGroups = []roleGroup{
	{ // Finance and accounting.
		words: []string{"finance*", "financ*", "finanz*", "cfo", "account*", "contab*", "comptab*", "buchhalt*",
			"controll*", "treasur*", "tesor*", "trésor*", "payroll", "nómina*", "paie", "lohn*", "billing", "factur*"},
		topics: []string{"budget review", "expense reports", "invoice discrepancy", "quarterly planning",
			"board meeting preparation", "contract renewal", "software license renewal", "travel policy"},
	},
	{ // IT, engineering and security.
		words: []string{"it", "ti", "cio", "cto", "ciso", "sysadmin", "admin", "administrator", "administrador*",
			"administrateur*", "administrator*", "system*", "sistema*", "systèm*", "infra*", "network*", "rede*",
			"réseau*", "netzwerk*", "devops", "sre", "security", "seguridad", "segurança", "sécurité", "sicherheit*",
			"helpdesk", "help", "desk", "soporte", "suporte", "engineer*", "ingenier*", "ingénieur*", "engenh*",
			"developer*", "entwickl*", "desarroll*", "desenvolv*", "développ*", "informati*", "tecnolog*",
			"technolog*", "technik*", "software", "cloud", "data", "datos", "dados", "données", "daten*"},
		topics: []string{"IT maintenance window", "password policy change", "security audit findings",
			"software license renewal", "project kickoff", "product launch", "new employee onboarding"},
	},
	{ // People and HR.
		words: []string{"hr", "rh", "rrhh", "rr.hh.", "human", "humanos", "humanas", "humaines", "people", "talent*",
			"recruit*", "reclut*", "recrut*", "personal*", "personnel", "pessoas", "gente", "culture", "cultura"},
		topics: []string{"hiring", "new employee onboarding", "performance reviews", "compliance training",
			"holiday schedule", "travel policy", "team offsite"},
	},
	{ // Legal, compliance and risk.
		words: []string{"legal", "counsel", "lawyer", "abogad*", "advogad*", "avocat*", "jurídic*", "juridique*",
			"jurist*", "recht*", "compliance", "cumplimiento", "conformidade", "conformité", "privacy", "dpo",
			"risk", "riesgo*", "risco*", "risque*", "risiko*", "audit*", "auditor*"},
		topics: []string{"contract renewal", "compliance training", "security audit findings",
			"vendor onboarding", "password policy change", "board meeting preparation"},
	},
	{ // Procurement, supply chain and operations.
		words: []string{"procurement", "purchas*", "buyer", "compras", "comprador*", "achat*", "acheteur*",
			"einkauf*", "einkäufer*", "supply", "logistic*", "logística", "logistique", "logistik*",
			"operations", "operaciones", "operações", "opérations", "betrieb*", "warehouse", "almacén",
			"armazém", "entrepôt", "lager*", "sourcing", "supplier*", "proveedor*", "fornecedor*"},
		topics: []string{"vendor onboarding", "supplier delay", "contract renewal", "invoice discrepancy",
			"customer escalation", "office move"},
	},
	{ // Sales, accounts and customer service.
		words: []string{"sales", "ventas", "vendas", "ventes", "vertrieb*", "verkauf*", "commercial*", "comercial*",
			"kam", "customer", "cliente*", "client*", "kunden*", "success", "support", "atención", "atendimento"},
		topics: []string{"customer escalation", "product launch", "marketing campaign", "contract renewal",
			"quarterly planning", "invoice discrepancy"},
	},
	{ // Marketing and communications.
		words: []string{"marketing", "brand*", "marca", "marque", "marke", "communication*", "comunicación",
			"comunicação", "kommunikation*", "pr", "content", "contenido*", "conteúdo*", "contenu*", "digital",
			"social", "growth"},
		topics: []string{"marketing campaign", "product launch", "team offsite", "quarterly planning"},
	},
	{ // Facilities, office management and assistants.
		words: []string{"facilit*", "office", "oficina", "escritório", "bureau", "büro*", "assistant*",
			"asistente*", "assistente*", "secretar*", "sekretär*", "reception*", "recepción*", "recepção",
			"workplace", "generales", "généraux", "gerais", "gebäude*", "haustechnik", "admin*"},
		topics: []string{"office move", "holiday schedule", "team offsite", "travel policy",
			"new employee onboarding", "expense reports"},
	},
	{ // Executives and heads of department.
		words: []string{"ceo", "coo", "cfo", "cto", "cio", "chief", "president*", "presidente*", "président*",
			"vp", "director*", "directora*", "diretor*", "diretora*", "directeur*", "directrice*", "direktor*",
			"geschäftsführ*", "vorstand*", "head", "jefe", "jefa", "chef*", "leiter*", "leiterin*"},
		topics: []string{"quarterly planning", "board meeting preparation", "budget review", "hiring",
			"performance reviews", "project kickoff", "customer escalation", "team offsite"},
	},
	{ // Product and project management.
		words: []string{"product", "producto", "produto", "produit", "produkt*", "project*", "proyecto*",
			"projeto*", "projet*", "projekt*", "program*", "programa*", "pmo", "scrum", "agile", "delivery"},
		topics: []string{"project kickoff", "product launch", "quarterly planning", "supplier delay",
			"marketing campaign"},
	},
}

// everyoneTopics are topics that people in any role write about.
var everyoneTopics = []string{"holiday schedule", "team offsite", "expense reports", "travel policy"}

// TopicsFor returns the topics, from Topics and in its order, that a person
// with the job title role would write a new thread about: those of the
// departments the title names and a few everybody writes about. A title
// that names no known department, such as "Manager" or "", gets all of
// Topics. Titles are matched in English, Spanish, Portuguese, French and
// German. The caller must not modify the returned slice.
func TopicsFor(role string) []string {
	mask, known := roleMask(role)
	if !known {
		return Topics
	}
	out := make([]string, 0, len(Topics))
	for i, topic := range Topics {
		if mask&(1<<i) != 0 {
			out = append(out, topic)
		}
	}
	return out
}

// RandomTopicFor returns one of TopicsFor(role), chosen uniformly with r.
func RandomTopicFor(r *rand.Rand, role string) string {
	topics := TopicsFor(role)
	return topics[r.IntN(len(topics))]
}

// roleOwns reports whether a person with the job title role would write
// about topic. Titles that name no known department own every topic, and
// so does every title for topics outside Topics.
func roleOwns(role, topic string) bool {
	mask, known := roleMask(role)
	if !known {
		return true
	}
	i := topicIndex(topic)
	return i < 0 || mask&(1<<i) != 0
}

// roleMasks caches roleMask results by role, because a persona list has
// few distinct job titles. It grows by one entry per distinct title.
var roleMasks sync.Map

type roleResult struct {
	mask  uint64
	known bool
}

// roleMask returns the topics of role as a bit set over Topics, and
// whether role names any known department.
func roleMask(role string) (uint64, bool) {
	if v, ok := roleMasks.Load(role); ok {
		res := v.(roleResult)
		return res.mask, res.known
	}
	mask, known := computeRoleMask(role)
	roleMasks.Store(role, roleResult{mask, known})
	return mask, known
}

func computeRoleMask(role string) (uint64, bool) {
	var mask uint64
	known := false
	for _, word := range strings.FieldsFunc(strings.ToLower(role), splitRole) {
		for _, g := range roleGroups {
			if !g.matches(word) {
				continue
			}
			known = true
			for _, topic := range g.topics {
				mask |= 1 << topicIndex(topic)
			}
		}
	}
	if !known {
		return 0, false
	}
	for _, topic := range everyoneTopics {
		mask |= 1 << topicIndex(topic)
	}
	return mask, true
}

// splitRole splits a job title into words. Dots stay, so "rr.hh." is one
// word.
func splitRole(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.'
}

func (g roleGroup) matches(word string) bool {
	word = strings.Trim(word, ".")
	for _, w := range g.words {
		if prefix, ok := strings.CutSuffix(w, "*"); ok {
			if strings.HasPrefix(word, prefix) {
				return true
			}
		} else if word == strings.Trim(w, ".") {
			return true
		}
	}
	return false
}

// topicIndex returns the index of topic in Topics, ignoring case, or -1.
func topicIndex(topic string) int {
	for i, t := range Topics {
		if strings.EqualFold(t, topic) {
			return i
		}
	}
	return -1
}
