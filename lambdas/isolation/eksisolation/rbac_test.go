package eksisolation

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const rbacFile = "../../../docs/eks-isolation-rbac.yaml"

// readRBAC parses the ClusterRole and ClusterRoleBinding of the RBAC file.
func readRBAC(t *testing.T) (rbacv1.ClusterRole, rbacv1.ClusterRoleBinding) {
	t.Helper()
	raw, err := os.ReadFile(filepath.FromSlash(rbacFile))
	require.NoError(t, err)
	var role rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		var head struct{ Kind string }
		require.NoError(t, yaml.Unmarshal([]byte(doc), &head))
		switch head.Kind {
		case "ClusterRole":
			require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &role))
		case "ClusterRoleBinding":
			require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &binding))
		default:
			require.Failf(t, "unexpected document", "kind %q in %s", head.Kind, rbacFile)
		}
	}
	require.NotEmpty(t, role.Rules, "%s holds a ClusterRole with rules", rbacFile)
	return role, binding
}

// permission is one verb on one resource of one API group.
type permission struct{ group, resource, verb string }

func (p permission) String() string { return p.verb + " " + p.group + "/" + p.resource }

func TestRBACAllowsExactlyWhatTheIsolatorCalls(t *testing.T) {
	role, binding := readRBAC(t)

	assert.Equal(t, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}, binding.RoleRef)
	assert.Equal(t, []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: investigation.KubernetesIsolationGroup}}, binding.Subjects)

	granted := map[permission]bool{}
	for _, r := range role.Rules {
		assert.Empty(t, r.ResourceNames, "rule %v", r)
		assert.Empty(t, r.NonResourceURLs, "rule %v", r)
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					assert.NotContains(t, []string{"*", "delete", "deletecollection", "escalate", "bind", "impersonate"}, v, "rule %v", r)
					assert.NotContains(t, []string{"*", "pods/eviction"}, res, "rule %v", r)
					assert.NotEqual(t, "*", g, "rule %v", r)
					granted[permission{g, res, v}] = true
				}
			}
		}
	}

	// Two runs between them take every path that calls the API: a pod with
	// an IRSA role on an EC2 node, and a node found by its instance.
	used := map[permission]bool{}
	record := func(e *env) {
		for _, a := range e.kube.Actions() {
			res := a.GetResource().Resource
			if a.GetSubresource() != "" {
				res += "/" + a.GetSubresource()
			}
			p := permission{a.GetResource().Group, res, a.GetVerb()}
			assert.True(t, granted[p], "the isolator calls %s, which %s does not grant", p, rbacFile)
			used[p] = true
		}
	}
	e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	_, err := e.iso.Isolate(context.Background(), e.target())
	require.NoError(t, err)
	record(e)
	e = newEnv(t, ec2Node())
	tg := e.target()
	tg.PodName = ""
	_, err = e.iso.Isolate(context.Background(), tg)
	require.NoError(t, err)
	record(e)

	var unused []string
	for p := range granted {
		if !used[p] {
			unused = append(unused, p.String())
		}
	}
	slices.Sort(unused)
	assert.Empty(t, unused, "%s grants what the isolator never calls", rbacFile)
}
