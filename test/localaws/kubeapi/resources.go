package kubeapi

import (
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Verbs the server serves.
const (
	verbGet    = "get"
	verbList   = "list"
	verbPatch  = "patch"
	verbCreate = "create"
)

// resource is a kind of object the server serves and what may be done
// with it.
type resource struct {
	gvr        schema.GroupVersionResource
	kind       schema.GroupVersionKind
	namespaced bool
	verbs      []string
	// fields are the object's fields a field selector may name.
	fields func(runtime.Object) fields.Set
}

func (r resource) serves(verb string) bool {
	return slices.Contains(r.verbs, verb)
}

// served are the resources the EKS isolation uses, by API group version
// ("v1" for the core group) and resource name.
var served = map[string]resource{
	"v1/nodes": {
		gvr: corev1.SchemeGroupVersion.WithResource("nodes"), kind: corev1.SchemeGroupVersion.WithKind("Node"),
		verbs: []string{verbGet, verbList, verbPatch},
		fields: func(o runtime.Object) fields.Set {
			n := o.(*corev1.Node)
			return fields.Set{"metadata.name": n.Name, "spec.unschedulable": strconv.FormatBool(n.Spec.Unschedulable)}
		},
	},
	"v1/pods": {
		gvr: corev1.SchemeGroupVersion.WithResource("pods"), kind: corev1.SchemeGroupVersion.WithKind("Pod"),
		namespaced: true, verbs: []string{verbGet, verbList, verbPatch},
		fields: func(o runtime.Object) fields.Set {
			p := o.(*corev1.Pod)
			return fields.Set{
				"metadata.name": p.Name, "metadata.namespace": p.Namespace, "spec.nodeName": p.Spec.NodeName,
				"spec.serviceAccountName": p.Spec.ServiceAccountName, "status.phase": string(p.Status.Phase),
			}
		},
	},
	"v1/serviceaccounts": {
		gvr: corev1.SchemeGroupVersion.WithResource("serviceaccounts"), kind: corev1.SchemeGroupVersion.WithKind("ServiceAccount"),
		namespaced: true, verbs: []string{verbGet, verbPatch},
		fields: func(o runtime.Object) fields.Set {
			a := o.(*corev1.ServiceAccount)
			return fields.Set{"metadata.name": a.Name, "metadata.namespace": a.Namespace}
		},
	},
	"networking.k8s.io/v1/networkpolicies": {
		gvr: networkingv1.SchemeGroupVersion.WithResource("networkpolicies"), kind: networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"),
		namespaced: true, verbs: []string{verbGet, verbList, verbCreate},
		fields: func(o runtime.Object) fields.Set {
			p := o.(*networkingv1.NetworkPolicy)
			return fields.Set{"metadata.name": p.Name, "metadata.namespace": p.Namespace}
		},
	},
}

// target is what a request's path names.
type target struct {
	resource    resource
	namespace   string
	name        string
	subresource string
}

// parsePath finds the resource, namespace, name and subresource of an API
// path; false when the path names no served resource.
func parsePath(path string) (target, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var groupVersion string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		groupVersion, parts = parts[1], parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		groupVersion, parts = parts[1]+"/"+parts[2], parts[3:]
	default:
		return target{}, false
	}
	var t target
	if len(parts) >= 3 && parts[0] == "namespaces" {
		t.namespace, parts = parts[1], parts[2:]
	}
	if len(parts) == 0 || len(parts) > 3 {
		return target{}, false
	}
	res, ok := served[groupVersion+"/"+parts[0]]
	if !ok || (t.namespace != "" && !res.namespaced) {
		return target{}, false
	}
	t.resource = res
	if len(parts) > 1 {
		t.name = parts[1]
	}
	if len(parts) > 2 {
		t.subresource = parts[2]
	}
	return t, true
}
