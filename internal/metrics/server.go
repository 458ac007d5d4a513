package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"go.uber.org/zap"
)

// shutdownTimeout bounds how long Serve waits for open requests once its
// context ends.
const shutdownTimeout = 5 * time.Second

// Listen binds addr for Serve. addr must be a loopback host and a port,
// such as 127.0.0.1:9464, [::1]:9464 or localhost:9464, because the
// endpoints have no authentication and the daemon runs on the DECNET
// master. Any other address is rejected before anything is bound.
//
// Binding is separate from serving so that the daemon can bind at start
// and refuse to run when the address is taken, rather than run on without
// the monitoring it was asked for.
func Listen(addr string) (net.Listener, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for metrics on %s: %w; choose a free port with --metrics-addr or stop the program that uses it", addr, err)
	}
	// localhost is resolved by the host's configuration, so check the
	// address that was actually bound too.
	if err := checkBound(listener.Addr()); err != nil {
		listener.Close()
		return nil, fmt.Errorf("listening for metrics on %s: %w", addr, err)
	}
	return listener, nil
}

// Serve serves /metrics from m and /healthz from health on listener until
// ctx ends, then shuts the server down and returns nil. It closes
// listener. /healthz responds 200 "ok" when health returns nil, and 503
// with the error text otherwise. A nil health is always healthy, and with
// a nil m, /metrics responds 404.
func Serve(ctx context.Context, listener net.Listener, m *Metrics, health func() error, log *zap.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler(log))
	mux.Handle("GET /healthz", healthHandler(health, log))
	server := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          zap.NewStdLog(log),
	}

	served := make(chan error, 1)
	go func() {
		served <- server.Serve(listener)
	}()
	log.Info("metrics server listening", zap.String("address", listener.Addr().String()))

	select {
	case err := <-served:
		return fmt.Errorf("serving metrics on %s: %w", listener.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := server.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("shutting down the metrics server on %s: %w", listener.Addr(), err)
	}
	log.Info("metrics server stopped", zap.String("address", listener.Addr().String()))
	return nil
}

// checkLoopback rejects addr unless its host is localhost or a loopback IP
// address (127.0.0.0/8 or ::1).
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid metrics address %q, want a loopback host and a port such as 127.0.0.1:9464: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" || !ip.IsLoopback() {
		// NOTE: there is no setting to serve on another interface.
		// Put a reverse proxy with authentication in front to scrape
		// from another host.
		return fmt.Errorf("metrics address %q is not a loopback address: use 127.0.0.1, [::1] or localhost with a port", addr)
	}
	return nil
}

// checkBound rejects a listener address that is not a loopback IP.
func checkBound(addr net.Addr) error {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("unexpected listener address %s of type %T", addr, addr)
	}
	if !tcp.IP.IsLoopback() {
		return fmt.Errorf("bound address %s is not a loopback address", tcp)
	}
	return nil
}

// healthHandler responds 200 "ok" while health returns nil and 503 with the
// error text while it does not.
func healthHandler(health func() error, log *zap.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var err error
		if health != nil {
			err = health()
		}
		if err != nil {
			log.Debug("health check failed", zap.Error(err))
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err.Error())
			return
		}
		fmt.Fprintln(w, "ok")
	})
}
