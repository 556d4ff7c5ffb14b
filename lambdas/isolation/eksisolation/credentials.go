package eksisolation

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/rolesessions"
)

// Where a workload's AWS role shows: the IRSA annotation on its service
// account and the variable the IRSA webhook put in its containers; and the
// annotations by which the isolation records, on the service account, the
// credentials it removed (for a restore, and for a second run to find them).
const (
	AnnotationIRSARole           = "eks.amazonaws.com/role-arn"
	EnvIRSARole                  = "AWS_ROLE_ARN"
	AnnotationRemovedRole        = "casefile.io/removed-role-arn"
	AnnotationRemovedPodIdentity = "casefile.io/removed-pod-identity"
)

const (
	reasonIRSA = "IRSA: the role annotation is off the service account, so new pods get no role, and the role's sessions issued until then are revoked (for every workload that uses the role); " +
		"still possible: the running pod can exchange its projected service-account token for new credentials until the token expires (the kubelet renews it while the pod runs) or the network measures cut it off; " +
		"the role's trust policy is left alone because other workloads may share it"
	reasonPodIdentity = "Pod Identity: the associations are deleted, so the EKS Pod Identity agent gets no new credentials for the service account, and the role's sessions issued until then are revoked (for every workload that uses the role); " +
		"the role's trust policy is left alone because other workloads may share it"
)

// removal is what removeCredentials found and did.
type removal struct {
	roles    []string // role ARNs whose sessions to revoke
	original map[string]string
	applied  map[string]string
	reasons  []string
	failures []string
}

func (c *removal) addRole(arn string) {
	if arn != "" && !slices.Contains(c.roles, arn) {
		c.roles = append(c.roles, arn)
	}
}

func (c *removal) fail(err error) { c.failures = append(c.failures, err.Error()) }

// removeCredentials takes the pod's AWS credentials away: the IRSA role
// annotation of its service account, its Pod Identity associations, and
// the sessions of their roles.
func (iso *Isolator) removeCredentials(ctx context.Context, t Target, w *workload) []investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureWorkloadCredentials, Target: w.credentialsTarget()}
	if skip, ok := w.podAbsent(m); ok {
		return []investigation.Measure{skip}
	}
	saName := w.serviceAccount()
	c := &removal{original: map[string]string{}, applied: map[string]string{}}

	sa, err := iso.Kube.CoreV1().ServiceAccounts(w.pod.Namespace).Get(ctx, saName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		sa = nil
		c.reasons = append(c.reasons, "the service account does not exist")
	case err != nil:
		sa = nil
		c.fail(fmt.Errorf("get service account %s/%s: %w", w.pod.Namespace, saName, err))
	}
	iso.removeIRSA(ctx, w.pod, sa, t.ForensicID, c)
	iso.removePodIdentity(ctx, t, w.pod.Namespace, saName, sa, c)
	if len(c.roles) == 0 && len(c.failures) == 0 {
		m.Status = investigation.MeasureSkipped
		m.Reason = "the workload has no AWS role: no IRSA annotation or variable, no Pod Identity association"
		return []investigation.Measure{m}
	}
	// The clock is read now, after the annotation and the associations
	// are gone: a session issued to the workload up to their removal is
	// before the cut-off.
	cutOff := rolesessions.CutOff(iso.now())
	for _, arn := range c.roles {
		name, ok := roleName(arn)
		if !ok {
			c.fail(fmt.Errorf("revoke the sessions of %q: not an IAM role ARN", arn))
			continue
		}
		if err := rolesessions.Revoke(ctx, iso.IAM, name, cutOff); err != nil {
			c.fail(err)
			continue
		}
		c.applied["revokedSessions."+arn] = cutOff.Format(time.RFC3339)
	}
	m.Original, m.Applied = nilIfEmpty(c.original), nilIfEmpty(c.applied)
	if len(c.failures) > 0 {
		m.Status = investigation.MeasureFailed
		m.Reason = strings.Join(append(c.failures, c.reasons...), "; ")
		return []investigation.Measure{m}
	}
	m.Status = investigation.MeasureApplied
	m.Reason = strings.Join(c.reasons, "; ")
	return []investigation.Measure{m}
}

// removeIRSA removes the service account's IRSA annotation, keeping the
// role in AnnotationRemovedRole, and collects the roles to revoke: the
// annotation's (or the one removed before) and the one in the pod's
// containers, which is what the running pod uses.
func (iso *Isolator) removeIRSA(ctx context.Context, pod *corev1.Pod, sa *corev1.ServiceAccount, forensicID string, c *removal) {
	envRole := podEnvRole(pod)
	var annotated string
	if sa != nil {
		annotated = sa.Annotations[AnnotationIRSARole]
		if annotated != "" {
			patch := metadataPatch{Annotations: map[string]*string{AnnotationIRSARole: nil, AnnotationRemovedRole: &annotated}}
			if _, ok := sa.Annotations[AnnotationForensicID]; !ok {
				patch.Annotations[AnnotationForensicID] = &forensicID
			}
			if err := iso.patchServiceAccount(ctx, sa.Namespace, sa.Name, patch); err != nil {
				c.fail(err)
			} else {
				c.applied["irsa.annotationRemoved"] = "true"
			}
			c.original["irsa.roleArn"] = annotated
		} else if removed := sa.Annotations[AnnotationRemovedRole]; removed != "" {
			annotated = removed
			c.original["irsa.roleArn"] = removed
			c.reasons = append(c.reasons, "the IRSA annotation was already removed")
		}
	}
	if envRole != "" && envRole != annotated {
		c.original["irsa.podRoleArn"] = envRole
	}
	if annotated == "" && envRole == "" {
		return
	}
	c.addRole(annotated)
	c.addRole(envRole)
	c.reasons = append(c.reasons, reasonIRSA)
}

// podEnvRole is the AWS_ROLE_ARN of the pod's first container that has one.
func podEnvRole(pod *corev1.Pod) string {
	for _, ctr := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		for _, env := range ctr.Env {
			if env.Name == EnvIRSARole && env.Value != "" {
				return env.Value
			}
		}
	}
	return ""
}

// removePodIdentity deletes the Pod Identity associations of the service
// account, records them on it in AnnotationRemovedPodIdentity and collects
// their roles (and those of associations removed before) to revoke.
func (iso *Isolator) removePodIdentity(ctx context.Context, t Target, namespace, saName string, sa *corev1.ServiceAccount, c *removal) {
	removed := map[string]string{}
	if sa != nil {
		removed = parsePairs(sa.Annotations[AnnotationRemovedPodIdentity])
	}
	before := len(removed)
	for id, arn := range removed {
		c.original["podIdentity."+id] = arn
		c.addRole(arn)
	}
	ids, err := iso.associations(ctx, t.ClusterName, namespace, saName)
	if err != nil {
		c.fail(err)
	}
	for _, id := range ids {
		out, err := iso.EKS.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(t.ClusterName), AssociationId: aws.String(id)})
		if err != nil {
			c.fail(fmt.Errorf("describe Pod Identity association %s: %w", id, err))
			continue
		}
		var arn string
		if out.Association != nil {
			arn = aws.ToString(out.Association.RoleArn)
		}
		_, err = iso.EKS.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{ClusterName: aws.String(t.ClusterName), AssociationId: aws.String(id)})
		if err != nil && !awserr.IsNotFound(err) {
			c.fail(fmt.Errorf("delete Pod Identity association %s: %w", id, err))
			continue
		}
		c.original["podIdentity."+id] = arn
		c.applied["podIdentity."+id] = "deleted"
		removed[id] = arn
		c.addRole(arn)
	}
	if len(removed) == 0 {
		return
	}
	if len(ids) == 0 {
		c.reasons = append(c.reasons, "the Pod Identity associations were already deleted")
	}
	c.reasons = append(c.reasons, reasonPodIdentity)
	if sa == nil || len(removed) == before {
		return
	}
	record := formatPairs(removed)
	if err := iso.patchServiceAccount(ctx, sa.Namespace, sa.Name, metadataPatch{Annotations: map[string]*string{AnnotationRemovedPodIdentity: &record}}); err != nil {
		c.fail(fmt.Errorf("record the deleted associations: %w", err))
	}
}

// associations lists the IDs of the Pod Identity associations of one
// service account.
func (iso *Isolator) associations(ctx context.Context, cluster, namespace, saName string) ([]string, error) {
	var ids []string
	pages := eks.NewListPodIdentityAssociationsPaginator(iso.EKS, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String(cluster), Namespace: aws.String(namespace), ServiceAccount: aws.String(saName),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return ids, fmt.Errorf("list the Pod Identity associations of service account %s/%s: %w", namespace, saName, err)
		}
		for _, a := range page.Associations {
			if id := aws.ToString(a.AssociationId); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// roleName is the name of the role of an IAM role ARN (its last path
// segment).
func roleName(arn string) (string, bool) {
	_, path, ok := strings.Cut(arn, ":role/")
	if !ok || !strings.HasPrefix(arn, "arn:") || path == "" {
		return "", false
	}
	return path[strings.LastIndex(path, "/")+1:], true
}

// parsePairs reads "k1=v1,k2=v2".
func parsePairs(s string) map[string]string {
	pairs := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			pairs[k] = v
		}
	}
	return pairs
}

// formatPairs writes "k1=v1,k2=v2" in key order.
func formatPairs(pairs map[string]string) string {
	parts := make([]string, 0, len(pairs))
	for _, k := range sortedKeys(pairs) {
		parts = append(parts, k+"="+pairs[k])
	}
	return strings.Join(parts, ",")
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
