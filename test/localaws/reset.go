package localaws

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/lambdalocal"
	"github.com/casefile-forensics/casefile/test/localaws/stacktemplate"
)

// Names under which the fixture registers the stack's SSM documents.
const (
	probeDocumentName  = "Casefile-Probe"
	diskDocumentName   = "Casefile-DiskForensics"
	memoryDocumentName = "Casefile-MemoryForensics"
	stateMachineName   = "CasefileInvestigation"
)

// Reset empties moto, rebuilds the fixture (seeding the Kubernetes API
// stand-in with its cluster's objects and the forensic host with its Pod
// Identity association), and restarts the handlers with the fixture's
// resources in their environment.
func (e *Environment) Reset(ctx context.Context) error { return e.ResetWith(ctx, ResetOptions{}) }

// ResetWith is Reset with the handlers configured as opts say.
func (e *Environment) ResetWith(ctx context.Context, opts ResetOptions) error {
	if e.lambdas != nil {
		e.lambdas.Close()
		e.lambdas = nil
	}
	e.host.Reset()
	docs, err := e.documents()
	if err != nil {
		return err
	}
	f, err := e.freshFixture(ctx, docs)
	if err != nil {
		return err
	}
	e.fixture = f
	e.scripts.Images = f.Images
	e.kube.Reset(f.KubernetesObjects()...)
	e.host.SetPodIdentityAssociations([]forensichost.PodIdentityAssociation{podIdentityAssociation(f)})
	e.host.SetDocuments(map[string]forensichost.Document{
		docs.Probe.Name:  {Step: stepName(docs.Probe), Run: e.scripts.Probe()},
		docs.Disk.Name:   {Step: stepName(docs.Disk), Run: e.scripts.Disk()},
		docs.Memory.Name: {Step: stepName(docs.Memory), Run: e.scripts.Memory()},
	})

	resolver := e.resolver()
	var fns []lambdalocal.Function
	for _, fn := range e.functions {
		env, err := e.environment(fn, resolver)
		if err != nil {
			return err
		}
		fns = append(fns, lambdalocal.Function{
			Name: fn.Handler, Command: e.binaries[fn.Handler], Env: env, Timeout: opts.timeout(fn), MemoryMiB: fn.MemoryMiB,
		})
	}
	e.lambdas, err = lambdalocal.Start(fns, e.lambdaOptions())
	if err != nil {
		return err
	}
	e.definition, err = e.template.Definition(resolver)
	if err != nil {
		return err
	}
	return nil
}

func (e *Environment) lambdaOptions() lambdalocal.Options {
	return lambdalocal.Options{
		Region: e.opts.Region, AccountID: e.fixture.AccountID, LogDir: e.opts.WorkDir,
		BaseEnv: map[string]string{
			"AWS_REGION":                e.opts.Region,
			"AWS_DEFAULT_REGION":        e.opts.Region,
			"AWS_ACCESS_KEY_ID":         fixture.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY":     fixture.SecretAccessKey,
			"AWS_ENDPOINT_URL":          e.host.URL(),
			"AWS_EC2_METADATA_DISABLED": "true",
		},
	}
}

func (e *Environment) stateMachineARN() string {
	return "arn:aws:states:" + e.opts.Region + ":" + e.fixture.AccountID + ":stateMachine:" + stateMachineName
}

// resolver resolves the template's tokens: each function's ARN as served
// locally, the pseudo parameters, and the resources the fixture stands for.
func (e *Environment) resolver() stacktemplate.Resolver {
	r := stacktemplate.Resolver{
		Partition: "aws", Region: e.opts.Region, AccountID: e.fixture.AccountID,
		Refs: map[string]string{}, Attrs: map[string]string{},
	}
	for _, fn := range e.functions {
		r.Attrs[fn.LogicalID+".Arn"] = lambdalocal.FunctionARN(e.opts.Region, e.fixture.AccountID, fn.Handler)
		r.Refs[fn.LogicalID] = fn.Handler
	}
	if id, _, err := e.template.StateMachine(); err == nil {
		r.Refs[id] = e.stateMachineARN()
	}
	return r
}

// environment returns a function's environment: the fixture's value for
// every setting that names a stack resource, the template's literal
// values for the others.
func (e *Environment) environment(fn stacktemplate.Function, r stacktemplate.Resolver) (map[string]string, error) {
	values := e.fixture.Env()
	values[investigation.EnvStateMachineARN] = e.stateMachineARN()
	env := map[string]string{}
	for key, raw := range fn.Env {
		if v, ok := values[key]; ok {
			env[key] = v
			continue
		}
		v, err := r.Resolve(raw)
		if err != nil {
			return nil, fmt.Errorf("environment variable %s of function %s: %w", key, fn.Handler, err)
		}
		env[key] = v
	}
	return env, nil
}

// documents finds the stack's three SSM documents through the functions'
// environment (a Ref to the document, or its literal name).
func (e *Environment) documents() (fixture.Documents, error) {
	find := func(envKey, name string) (fixture.Document, error) {
		for _, fn := range e.functions {
			raw, ok := fn.Env[envKey]
			if !ok {
				continue
			}
			id := stacktemplate.RefTarget(raw)
			if id == "" {
				var literal string
				if err := json.Unmarshal(raw, &literal); err == nil {
					id = e.documentByName(literal)
				}
			}
			if id == "" {
				return fixture.Document{}, fmt.Errorf("the %s of function %s names no SSM document of the template: %s", envKey, fn.Handler, raw)
			}
			doc, err := e.template.Document(id)
			if err != nil {
				return fixture.Document{}, err
			}
			return fixture.Document{Name: name, Content: string(doc.Content), Format: doc.DocumentFormat}, nil
		}
		return fixture.Document{}, fmt.Errorf("no function of the template has %s", envKey)
	}
	var docs fixture.Documents
	var err error
	if docs.Probe, err = find(investigation.EnvProbeDocument, probeDocumentName); err != nil {
		return docs, err
	}
	if docs.Disk, err = find(investigation.EnvDiskDocument, diskDocumentName); err != nil {
		return docs, err
	}
	if docs.Memory, err = find(investigation.EnvMemoryDocument, memoryDocumentName); err != nil {
		return docs, err
	}
	return docs, nil
}

func (e *Environment) documentByName(name string) string {
	for _, id := range e.template.LogicalIDs(stacktemplate.TypeDocument) {
		var props struct{ Name string }
		if err := json.Unmarshal(e.template.Resources[id].Properties, &props); err == nil && props.Name == name {
			return id
		}
	}
	return ""
}

// stepName is the name of a document's first step, under which SSM files
// its output.
func stepName(d fixture.Document) string {
	var content struct {
		MainSteps []struct {
			Name string `json:"name"`
		} `json:"mainSteps"`
	}
	if err := json.Unmarshal([]byte(d.Content), &content); err == nil && len(content.MainSteps) > 0 {
		return content.MainSteps[0].Name
	}
	return strings.ToLower(d.Name)
}

// podIdentityAssociation is the fixture's Pod Identity association, which
// the forensic host keeps as moto has none.
func podIdentityAssociation(f *fixture.Fixture) forensichost.PodIdentityAssociation {
	p := f.EKS.PodIdentity
	return forensichost.PodIdentityAssociation{
		ClusterName: f.EKS.Name, Namespace: f.EKS.Namespace, ServiceAccount: f.EKS.ServiceAccount,
		RoleARN: p.RoleARN, AssociationID: p.AssociationID, AssociationARN: p.AssociationARN, CreatedAt: p.CreatedAt,
	}
}

// freshFixture empties moto and builds the fixture in it. The SDK retries a
// call whose answer was lost on the way (a connection closed under load),
// and a create that moto did carry out then fails as already done: one
// such glitch must not fail the test that resets, so a build that fails is
// tried once more from an empty moto. A fixture that cannot be built fails
// both times, and the error says so.
func (e *Environment) freshFixture(ctx context.Context, docs fixture.Documents) (*fixture.Fixture, error) {
	f, err := e.buildFixture(ctx, docs)
	if err == nil {
		return f, nil
	}
	f, again := e.buildFixture(ctx, docs)
	if again != nil {
		return nil, fmt.Errorf("build the fixture (twice; the first time: %v): %w", err, again)
	}
	return f, nil
}

// buildFixture empties moto and builds the fixture in it.
func (e *Environment) buildFixture(ctx context.Context, docs fixture.Documents) (*fixture.Fixture, error) {
	if err := e.moto.Reset(ctx); err != nil {
		return nil, err
	}
	return fixture.Build(ctx, e.clients, fixture.Options{Region: e.opts.Region, WorkDir: e.opts.WorkDir, Documents: docs})
}
