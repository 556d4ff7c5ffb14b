package lambdalocal

import (
	"context"
	"sync"
)

// pool is the execution environments of one function. Lambda gives every
// concurrent invocation an environment of its own and reuses an idle one
// when there is one; a pool does the same with runtimes, so that
// concurrent executions do not queue behind one another's invocations. One
// invocation at a time keeps using the same warm process.
type pool struct {
	fn      Function
	arn     string
	baseEnv map[string]string
	logDir  string

	mu sync.Mutex
	// idle are the environments waiting for an invocation, the most
	// recently used last; all holds every environment, for Close.
	idle   []*runtime
	all    []*runtime
	closed bool
}

// newPool returns the pool of fn with one environment, so that a function
// that cannot be served fails at Start.
func newPool(fn Function, arn string, baseEnv map[string]string, logDir string) (*pool, error) {
	p := &pool{fn: fn, arn: arn, baseEnv: baseEnv, logDir: logDir}
	rt, err := newRuntime(fn, arn, baseEnv, logDir)
	if err != nil {
		return nil, err
	}
	p.idle, p.all = []*runtime{rt}, []*runtime{rt}
	return p, nil
}

// logPath is the log file that every environment of the function appends
// to.
func (p *pool) logPath() string { return p.all[0].logPath }

// invoke runs one invocation in an idle environment, or in a new one when
// every environment is busy.
func (p *pool) invoke(ctx context.Context, payload []byte) (string, outcome, error) {
	rt, err := p.acquire()
	if err != nil {
		return "", outcome{}, err
	}
	defer p.release(rt)
	return rt.invoke(ctx, payload)
}

func (p *pool) acquire() (*runtime, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		rt := p.idle[n-1]
		p.idle = p.idle[:n-1]
		return rt, nil
	}
	rt, err := newRuntime(p.fn, p.arn, p.baseEnv, p.logDir)
	if err != nil {
		return nil, err
	}
	p.all = append(p.all, rt)
	return rt, nil
}

func (p *pool) release(rt *runtime) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.idle = append(p.idle, rt)
	}
}

// environments returns how many environments have started a handler
// process.
func (p *pool) environments() int {
	p.mu.Lock()
	all := append([]*runtime(nil), p.all...)
	p.mu.Unlock()
	n := 0
	for _, rt := range all {
		rt.mu.Lock()
		if rt.proc != nil {
			n++
		}
		rt.mu.Unlock()
	}
	return n
}

// close ends every environment.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	all := p.all
	p.idle = nil
	p.mu.Unlock()
	for _, rt := range all {
		rt.close()
	}
}
