package kubeapi

import (
	"fmt"
	"io"
	"mime"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	clienttesting "k8s.io/client-go/testing"
)

// mergePatch is the only patch type served.
const mergePatch = string(types.MergePatchType)

// handle answers an authenticated request.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	t, ok := parsePath(r.URL.Path)
	if !ok {
		writeStatus(w, metav1.Status{Code: http.StatusNotFound, Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource"})
		return
	}
	verb := verbOf(r.Method, t)
	if t.subresource != "" || !t.resource.serves(verb) {
		what := t.resource.gvr.Resource
		if t.subresource != "" {
			what += "/" + t.subresource
		}
		writeStatus(w, apierrors.NewMethodNotSupported(t.resource.gvr.GroupResource(), r.Method+" "+what).ErrStatus)
		return
	}
	cs := s.Clientset()
	var (
		obj     runtime.Object
		err     error
		created bool
	)
	switch verb {
	case verbGet:
		obj, err = cs.Invokes(clienttesting.NewGetAction(t.resource.gvr, t.namespace, t.name), nil)
	case verbList:
		obj, err = list(cs.Invokes, t, r)
	case verbPatch:
		obj, err = patch(cs.Invokes, t, r)
	case verbCreate:
		obj, err = create(cs.Invokes, t, r)
		created = true
	}
	if err != nil {
		writeError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeObject(w, status, obj)
}

// verbOf is the Kubernetes verb of a request: get, list, patch, create, or
// the verbs the server does not serve (watch, update, delete, ...).
func verbOf(method string, t target) string {
	switch {
	case method == http.MethodGet && t.name == "":
		return verbList
	case method == http.MethodGet:
		return verbGet
	case method == http.MethodPatch && t.name != "":
		return verbPatch
	case method == http.MethodPost && t.name == "":
		return verbCreate
	case method == http.MethodDelete:
		return "delete"
	default:
		return method
	}
}

// invoker runs an action through the fake clientset's reactors.
type invoker func(action clienttesting.Action, defaultReturnObj runtime.Object) (runtime.Object, error)

// list lists the objects of the namespace (all namespaces when none) that
// match the request's label and field selectors.
func list(invoke invoker, t target, r *http.Request) (runtime.Object, error) {
	q := r.URL.Query()
	labelSel, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("labelSelector: %v", err))
	}
	fieldSel, err := fields.ParseSelector(q.Get("fieldSelector"))
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("fieldSelector: %v", err))
	}
	if q.Get("watch") == "true" || q.Get("watch") == "1" {
		return nil, apierrors.NewMethodNotSupported(t.resource.gvr.GroupResource(), "watch")
	}
	obj, err := invoke(clienttesting.NewListAction(t.resource.gvr, t.resource.kind, t.namespace, metav1.ListOptions{}), nil)
	if err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(obj)
	if err != nil {
		return nil, fmt.Errorf("read the list of %s: %w", t.resource.gvr.Resource, err)
	}
	kept := []runtime.Object{}
	for _, item := range items {
		m, err := meta.Accessor(item)
		if err != nil {
			return nil, fmt.Errorf("read an item of %s: %w", t.resource.gvr.Resource, err)
		}
		set := t.resource.fields(item)
		for _, req := range fieldSel.Requirements() {
			if _, ok := set[req.Field]; !ok {
				return nil, apierrors.NewBadRequest(fmt.Sprintf("field label not supported: %s", req.Field))
			}
		}
		if labelSel.Matches(labels.Set(m.GetLabels())) && fieldSel.Matches(set) {
			kept = append(kept, item)
		}
	}
	if err := meta.SetList(obj, kept); err != nil {
		return nil, fmt.Errorf("filter the list of %s: %w", t.resource.gvr.Resource, err)
	}
	return obj, nil
}

// patch applies the request's JSON merge patch.
func patch(invoke invoker, t target, r *http.Request) (runtime.Object, error) {
	if mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType != mergePatch {
		return nil, unsupportedMediaType(r.Header.Get("Content-Type"), mergePatch)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("read the patch: %v", err))
	}
	return invoke(clienttesting.NewPatchAction(t.resource.gvr, t.namespace, t.name, types.MergePatchType, body), nil)
}

// create stores the object in the request's body (JSON, or protobuf as
// client-go may send) in the request's namespace.
func create(invoke invoker, t target, r *http.Request) (runtime.Object, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("read the object: %v", err))
	}
	obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(body, &t.resource.kind, nil)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("decode the %s: %v", t.resource.kind.Kind, err))
	}
	if *gvk != t.resource.kind {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the body is a %s, want a %s", gvk, t.resource.kind))
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the %s has no metadata: %v", t.resource.kind.Kind, err))
	}
	switch m.GetNamespace() {
	case "":
		m.SetNamespace(t.namespace)
	case t.namespace:
	default:
		return nil, apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
	}
	if m.GetName() == "" {
		return nil, apierrors.NewBadRequest("metadata.name of the " + t.resource.kind.Kind + " is required")
	}
	m.SetCreationTimestamp(metav1.Now())
	return invoke(clienttesting.NewCreateAction(t.resource.gvr, t.namespace, obj), nil)
}
