package eksisolation

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Every change the isolation makes to an existing object is a JSON merge
// patch (RFC 7386): it names only the fields it sets, so it cannot undo a
// change someone else made meanwhile, and a null removes a key.

// metadataPatch is a merge patch of an object's labels and annotations; a
// nil value removes the key.
type metadataPatch struct {
	Labels      map[string]*string `json:"labels,omitempty"`
	Annotations map[string]*string `json:"annotations,omitempty"`
}

func (p metadataPatch) empty() bool { return len(p.Labels) == 0 && len(p.Annotations) == 0 }

func (iso *Isolator) patchNode(ctx context.Context, name string, patch any) (*corev1.Node, error) {
	body, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode the patch of node %s: %w", name, err)
	}
	node, err := iso.Kube.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
	if err != nil {
		return nil, fmt.Errorf("patch node %s: %w", name, err)
	}
	return node, nil
}

func (iso *Isolator) patchPod(ctx context.Context, namespace, name string, patch any) (*corev1.Pod, error) {
	body, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode the patch of pod %s/%s: %w", namespace, name, err)
	}
	pod, err := iso.Kube.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{})
	if err != nil {
		return nil, fmt.Errorf("patch pod %s/%s: %w", namespace, name, err)
	}
	return pod, nil
}

func (iso *Isolator) patchServiceAccount(ctx context.Context, namespace, name string, patch metadataPatch) error {
	body, err := json.Marshal(map[string]metadataPatch{"metadata": patch})
	if err != nil {
		return fmt.Errorf("encode the patch of service account %s/%s: %w", namespace, name, err)
	}
	if _, err := iso.Kube.CoreV1().ServiceAccounts(namespace).Patch(ctx, name, types.MergePatchType, body, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch service account %s/%s: %w", namespace, name, err)
	}
	return nil
}

// additions returns the entries of want that have is missing, and the keys
// whose value in have differs from want's (left as they are).
func additions(have, want map[string]string) (add map[string]*string, kept []string) {
	for _, k := range sortedKeys(want) {
		v := want[k]
		old, ok := have[k]
		switch {
		case !ok:
			if add == nil {
				add = map[string]*string{}
			}
			add[k] = &v
		case old != v:
			kept = append(kept, fmt.Sprintf("%s=%s", k, old))
		}
	}
	return add, kept
}

// flatten records a patch's values for a Measure's Applied map.
func flatten(prefix string, m map[string]*string, into map[string]string) {
	for k, v := range m {
		if v != nil {
			into[prefix+k] = *v
		}
	}
}
