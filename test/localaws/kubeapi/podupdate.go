package kubeapi

import (
	"encoding/json"
	"fmt"
	"slices"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

// ValidatePodPatches makes the clientset refuse a merge patch of a pod
// that the Kubernetes API would refuse as an update of a running pod's
// spec (CheckPodUpdate), instead of storing whatever the patch makes.
// Start and Reset give it to the server's clientset; the EKS isolation's
// unit tests give it to theirs.
func ValidatePodPatches(cs *fake.Clientset) {
	pods := corev1.SchemeGroupVersion.WithResource("pods")
	cs.PrependReactor("patch", "pods", func(a clienttesting.Action) (bool, runtime.Object, error) {
		p, ok := a.(clienttesting.PatchAction)
		if !ok || p.GetSubresource() != "" || p.GetPatchType() != types.MergePatchType {
			return false, nil, nil
		}
		stored, err := cs.Tracker().Get(pods, p.GetNamespace(), p.GetName())
		if err != nil {
			// The default reaction answers: not found.
			return false, nil, nil
		}
		old, ok := stored.(*corev1.Pod)
		if !ok {
			return false, nil, nil
		}
		before, err := json.Marshal(old)
		if err != nil {
			return true, nil, fmt.Errorf("encode pod %s/%s: %w", old.Namespace, old.Name, err)
		}
		after, err := jsonpatch.MergePatch(before, p.GetPatch())
		if err != nil {
			return true, nil, apierrors.NewBadRequest(fmt.Sprintf("apply the merge patch: %v", err))
		}
		var updated corev1.Pod
		if err := json.Unmarshal(after, &updated); err != nil {
			return true, nil, apierrors.NewBadRequest(fmt.Sprintf("decode the patched pod: %v", err))
		}
		if err := CheckPodUpdate(old, &updated); err != nil {
			return true, nil, err
		}
		return false, nil, nil
	})
}

// podUpdateRule is the API's message for a pod update that changes more
// than it may (the part of the list this stand-in checks).
const podUpdateRule = "pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, " +
	"`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds`"

// CheckPodUpdate returns the Invalid error the Kubernetes API answers to an
// update of a pod's spec that it does not allow, or nil: an existing
// toleration may only change its tolerationSeconds (or lose it), new ones
// may be added, each must be valid, and besides the tolerations only the
// containers' images, activeDeadlineSeconds and
// terminationGracePeriodSeconds may change. Metadata and status are not
// checked.
func CheckPodUpdate(old, updated *corev1.Pod) error {
	path := field.NewPath("spec", "tolerations")
	var errs field.ErrorList
	for _, was := range old.Spec.Tolerations {
		kept := slices.ContainsFunc(updated.Spec.Tolerations, func(now corev1.Toleration) bool {
			was.TolerationSeconds = now.TolerationSeconds
			return apiequality.Semantic.DeepEqual(was, now)
		})
		if !kept {
			errs = append(errs, field.Forbidden(path, "existing toleration can not be modified except its tolerationSeconds"))
			break
		}
	}
	for i, tol := range updated.Spec.Tolerations {
		at := path.Index(i)
		if tol.Key == "" && tol.Operator != corev1.TolerationOpExists {
			errs = append(errs, field.Invalid(at.Child("operator"), tol.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if tol.Operator == corev1.TolerationOpExists && tol.Value != "" {
			errs = append(errs, field.Invalid(at.Child("operator"), tol.Value, "value must be empty when `operator` is 'Exists'"))
		}
		if tol.TolerationSeconds != nil && tol.Effect != corev1.TaintEffectNoExecute {
			errs = append(errs, field.Invalid(at.Child("effect"), tol.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
	}
	// What else may change, made the same as before: the rest must be.
	rest := updated.Spec.DeepCopy()
	rest.Tolerations = old.Spec.Tolerations
	rest.ActiveDeadlineSeconds = old.Spec.ActiveDeadlineSeconds
	rest.TerminationGracePeriodSeconds = old.Spec.TerminationGracePeriodSeconds
	sameImages(rest.Containers, old.Spec.Containers)
	sameImages(rest.InitContainers, old.Spec.InitContainers)
	if !apiequality.Semantic.DeepEqual(*rest, old.Spec) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"), podUpdateRule))
	}
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Pod").GroupKind(), old.Name, errs)
}

// sameImages gives containers the images of the containers of the same
// name in old.
func sameImages(containers, old []corev1.Container) {
	for i := range containers {
		if j := slices.IndexFunc(old, func(c corev1.Container) bool { return c.Name == containers[i].Name }); j >= 0 {
			containers[i].Image = old[j].Image
		}
	}
}
