package lambdalocal

// LoseResponses makes the Invoke API lose the response of the next times
// invocations of the function named name: each runs to its end, then the
// caller gets a 500 ServiceException instead of the result, as when the
// Lambda service fails after the function returned. Step Functions retries
// such a task (Lambda.ServiceException), so the function runs again with
// the same input. Direct calls of Invoke are not affected.
func (s *Service) LoseResponses(name string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost[FunctionName(name)] += times
}

// takeLostResponse reports whether the response of an invocation of name
// that just ran is to be lost, and counts it.
func (s *Service) takeLostResponse(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost[name] <= 0 {
		return false
	}
	s.lost[name]--
	return true
}

// Environments returns how many execution environments of the function
// named name have started a handler process: more than one when
// invocations overlapped.
func (s *Service) Environments(name string) int {
	p, ok := s.pools[FunctionName(name)]
	if !ok {
		return 0
	}
	return p.environments()
}
