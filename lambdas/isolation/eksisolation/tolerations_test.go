package eksisolation

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func seconds(s int64) *int64 { return &s }

// defaultTolerations are what the DefaultTolerationSeconds admission
// plugin gives a pod that has none of its own.
func defaultTolerations() []corev1.Toleration {
	return []corev1.Toleration{
		{Key: TaintNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(300)},
		{Key: TaintUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(300)},
	}
}

func unlimitedOf(key string) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestEvictionTolerations: the pod's tolerations of the unreachable and
// not-ready taints lose their tolerationSeconds (the shortest matching one
// decides the eviction), one of each is added where none matches, the
// others are left alone, and the originals are kept on the pod and in the
// record.
func TestEvictionTolerations(t *testing.T) {
	dedicated := corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "shop", Effect: corev1.TaintEffectNoSchedule}
	maintenance := corev1.Toleration{Key: "example.com/maintenance", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(600)}
	tests := []struct {
		name   string
		before []corev1.Toleration
		want   []corev1.Toleration
	}{
		{
			name:   "the admission plugin's 300 s",
			before: append(defaultTolerations(), dedicated, maintenance),
			want:   []corev1.Toleration{unlimitedOf(TaintNotReady), unlimitedOf(TaintUnreachable), dedicated, maintenance},
		},
		{
			name:   "none",
			before: nil,
			want:   []corev1.Toleration{unlimitedOf(TaintUnreachable), unlimitedOf(TaintNotReady)},
		},
		{
			name: "a shorter one beside an unlimited one",
			before: []corev1.Toleration{
				unlimitedOf(TaintUnreachable),
				{Key: TaintUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(30)},
			},
			want: []corev1.Toleration{unlimitedOf(TaintUnreachable), unlimitedOf(TaintUnreachable), unlimitedOf(TaintNotReady)},
		},
		{
			name: "every NoExecute taint, for a minute",
			before: []corev1.Toleration{
				{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(60)},
			},
			want: []corev1.Toleration{{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}},
		},
		{
			name: "evicted at once",
			before: []corev1.Toleration{
				{Key: TaintNotReady, Operator: corev1.TolerationOpEqual, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(0)},
			},
			want: []corev1.Toleration{
				{Key: TaintNotReady, Operator: corev1.TolerationOpEqual, Effect: corev1.TaintEffectNoExecute},
				unlimitedOf(TaintUnreachable),
			},
		},
		{
			name: "a value the taint does not have",
			before: []corev1.Toleration{
				{Key: TaintUnreachable, Operator: corev1.TolerationOpEqual, Value: "rack-7", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(30)},
			},
			want: []corev1.Toleration{
				{Key: TaintUnreachable, Operator: corev1.TolerationOpEqual, Value: "rack-7", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds(30)},
				unlimitedOf(TaintUnreachable), unlimitedOf(TaintNotReady),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := shopPod()
			p.Spec.Tolerations = tc.before
			e := newEnv(t, ec2Node(), p, irsaAccount())
			ctx := context.Background()
			var atNodeIsolation []corev1.Toleration
			e.node.onCall = func() {
				pod, err := e.kube.CoreV1().Pods(testNamespace).Get(ctx, testPod, metav1.GetOptions{})
				require.NoError(t, err)
				atNodeIsolation = pod.Spec.Tolerations
			}

			res, err := e.iso.Isolate(ctx, e.target())
			require.NoError(t, err)

			m := measure(t, res, investigation.MeasureEvictionTolerations, podRef)
			assert.Equal(t, investigation.MeasureApplied, m.Status, m.Reason)
			assert.Contains(t, m.Reason, "not evicted")
			original := "[]"
			if tc.before != nil {
				original = jsonOf(t, tc.before)
			}
			assert.Equal(t, map[string]string{KeyTolerations: original}, m.Original, "the original tolerations")
			assert.Equal(t, map[string]string{KeyTolerations: jsonOf(t, tc.want)}, m.Applied)
			pod, err := e.kube.CoreV1().Pods(testNamespace).Get(ctx, testPod, metav1.GetOptions{})
			require.NoError(t, err)
			assert.Equal(t, tc.want, pod.Spec.Tolerations, "the pod's tolerations")
			assert.Equal(t, original, pod.Annotations[AnnotationOriginalTolerations], "the pod keeps its original tolerations")
			assert.Equal(t, tc.want, atNodeIsolation, "the tolerations are in place before the node's EC2 isolation")
			assertNothingRemoved(t, e)

			// A second run finds it done and records the same.
			e.kube.ClearActions()
			again, err := e.iso.Isolate(ctx, e.target())
			require.NoError(t, err)
			m2 := measure(t, again, investigation.MeasureEvictionTolerations, podRef)
			assert.Equal(t, investigation.MeasureApplied, m2.Status, m2.Reason)
			assert.Contains(t, m2.Reason, "already done by Casefile")
			assert.Equal(t, m.Original, m2.Original, "the second run records the first one's originals")
			assert.Equal(t, m.Applied, m2.Applied)
			for _, a := range e.kube.Actions() {
				assert.NotEqual(t, "patch", a.GetVerb(), "the second run patches nothing: %s %s", a.GetVerb(), a.GetResource().Resource)
			}
		})
	}
}

func TestEvictionTolerationsNothingToDo(t *testing.T) {
	fargateNode := node("fargate-ip-10-0-7-9.eu-west-1.compute.internal", "", map[string]string{LabelComputeType: "fargate"})
	tests := []struct {
		name        string
		node        *corev1.Node
		tolerations []corev1.Toleration
		reason      string
	}{
		{name: "already unlimited, as a DaemonSet's pods are", node: ec2Node(),
			tolerations: []corev1.Toleration{unlimitedOf(TaintNotReady), unlimitedOf(TaintUnreachable)}, reason: "already tolerates"},
		{name: "Fargate", node: fargateNode, tolerations: defaultTolerations(), reason: "Fargate: the isolation does not cut the pod's node"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pod(tc.node.Name, testSA, nil)
			p.Spec.Tolerations = tc.tolerations
			e := newEnv(t, tc.node, p, irsaAccount())
			res, err := e.iso.Isolate(context.Background(), e.target())
			require.NoError(t, err)

			m := measure(t, res, investigation.MeasureEvictionTolerations, podRef)
			assert.Equal(t, investigation.MeasureSkipped, m.Status)
			assert.Contains(t, m.Reason, tc.reason)
			assert.Nil(t, m.Original)
			got, err := e.kube.CoreV1().Pods(testNamespace).Get(context.Background(), testPod, metav1.GetOptions{})
			require.NoError(t, err)
			assert.Equal(t, tc.tolerations, got.Spec.Tolerations, "the tolerations are unchanged")
			assert.NotContains(t, got.Annotations, AnnotationOriginalTolerations)
		})
	}
}

// TestEvictionTolerationsAfterARestore: an operator set tolerationSeconds
// back; the next run keeps the pod again, with what it has now as the
// originals.
func TestEvictionTolerationsAfterARestore(t *testing.T) {
	p := shopPod()
	p.Spec.Tolerations = defaultTolerations()
	e := newEnv(t, ec2Node(), p, irsaAccount())
	ctx := context.Background()
	_, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)
	restore := fmt.Sprintf(`{"spec":{"tolerations":%s}}`, jsonOf(t, defaultTolerations()))
	_, err = e.kube.CoreV1().Pods(testNamespace).Patch(ctx, testPod, "application/merge-patch+json", []byte(restore), metav1.PatchOptions{})
	require.NoError(t, err, "tolerationSeconds may be set back")

	res, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)

	m := measure(t, res, investigation.MeasureEvictionTolerations, podRef)
	assert.Equal(t, investigation.MeasureApplied, m.Status, m.Reason)
	assert.NotContains(t, m.Reason, "already done")
	assert.Equal(t, jsonOf(t, defaultTolerations()), m.Original[KeyTolerations])
	got, err := e.kube.CoreV1().Pods(testNamespace).Get(ctx, testPod, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []corev1.Toleration{unlimitedOf(TaintNotReady), unlimitedOf(TaintUnreachable)}, got.Spec.Tolerations)
}

// TestEvictionTolerationsRefused: the API's refusal is the measure's
// failure, and the node's isolation still runs.
func TestEvictionTolerationsRefused(t *testing.T) {
	p := shopPod()
	p.Spec.Tolerations = defaultTolerations()
	e := newEnv(t, ec2Node(), p, irsaAccount())
	e.kube.PrependReactor("patch", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, fmt.Errorf("admission webhook %q denied the request", "guard")
	})

	res, err := e.iso.Isolate(context.Background(), e.target())
	require.NoError(t, err)

	m := measure(t, res, investigation.MeasureEvictionTolerations, podRef)
	assert.Equal(t, investigation.MeasureFailed, m.Status)
	assert.Contains(t, m.Reason, "keep the pod on its node: patch pod "+podRef)
	assert.Contains(t, m.Reason, "denied the request")
	require.Len(t, e.node.calls, 1, "the node is isolated all the same")
}
