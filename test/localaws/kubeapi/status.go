package kubeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

// codec encodes the served objects as JSON with their apiVersion and kind.
var codec = scheme.Codecs.LegacyCodec(corev1.SchemeGroupVersion, networkingv1.SchemeGroupVersion)

func writeObject(w http.ResponseWriter, status int, obj runtime.Object) {
	data, err := runtime.Encode(codec, obj)
	if err != nil {
		writeError(w, fmt.Errorf("encode the answer: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeError answers with the Status of a Kubernetes API error, or a 500
// InternalError for any other error.
func writeError(w http.ResponseWriter, err error) {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		writeStatus(w, status.Status())
		return
	}
	writeStatus(w, apierrors.NewInternalError(err).ErrStatus)
}

// writeStatus answers with a Kubernetes Status object and its code.
func writeStatus(w http.ResponseWriter, st metav1.Status) {
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	st.Status = metav1.StatusFailure
	data, err := json.Marshal(st)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	code := int(st.Code)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(data)
}

func unauthorized(err error) metav1.Status {
	return apierrors.NewUnauthorized("Unauthorized: " + err.Error()).ErrStatus
}

func unsupportedMediaType(got, want string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format %q: this API stand-in takes only %s patches", got, want),
	}}
}
