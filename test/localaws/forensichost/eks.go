package forensichost

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// KubernetesAPI is the stand-in for the clusters' Kubernetes API that
// DescribeCluster answers point to (see kubeapi.Server).
type KubernetesAPI interface {
	URL() string
	CAData() []byte
}

// PodIdentityAssociation is an EKS Pod Identity association, which moto
// 5.2 does not implement: the host keeps them (see SetPodIdentityAssociations)
// and answers ListPodIdentityAssociations, DescribePodIdentityAssociation
// and DeletePodIdentityAssociation from them.
type PodIdentityAssociation struct {
	ClusterName    string
	Namespace      string
	ServiceAccount string
	RoleARN        string
	AssociationID  string
	AssociationARN string
	CreatedAt      time.Time
}

// SetPodIdentityAssociations replaces the Pod Identity associations (after
// the fixture was rebuilt). Reset forgets them.
func (h *Host) SetPodIdentityAssociations(list []PodIdentityAssociation) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.associations = append([]PodIdentityAssociation(nil), list...)
}

// PodIdentityAssociations returns the associations not deleted.
func (h *Host) PodIdentityAssociations() []PodIdentityAssociation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]PodIdentityAssociation(nil), h.associations...)
}

// Operations of EKS's REST-JSON API that the host tells apart.
const (
	eksDescribeCluster                = "DescribeCluster"
	eksListPodIdentityAssociations    = "ListPodIdentityAssociations"
	eksDescribePodIdentityAssociation = "DescribePodIdentityAssociation"
	eksDeletePodIdentityAssociation   = "DeletePodIdentityAssociation"
)

// eksOperation names an EKS call by its method and path
// (/clusters/<name>[/pod-identity-associations[/<id>]]), or "".
func eksOperation(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 || parts[0] != "clusters" {
		return ""
	}
	switch {
	case len(parts) == 2 && method == http.MethodGet:
		return eksDescribeCluster
	case len(parts) == 3 && parts[2] == "pod-identity-associations" && method == http.MethodGet:
		return eksListPodIdentityAssociations
	case len(parts) == 4 && parts[2] == "pod-identity-associations" && method == http.MethodGet:
		return eksDescribePodIdentityAssociation
	case len(parts) == 4 && parts[2] == "pod-identity-associations" && method == http.MethodDelete:
		return eksDeletePodIdentityAssociation
	}
	return ""
}

// serveEKS answers DescribeCluster with moto's answer pointed at the
// Kubernetes API stand-in, and the Pod Identity calls from the host's
// associations; it reports false for the other calls, which go to moto
// unchanged.
func (h *Host) serveEKS(w http.ResponseWriter, r *http.Request, call apiCall) bool {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch call.operation {
	case eksDescribeCluster:
		if h.opts.Kubernetes == nil {
			return false
		}
		h.describeCluster(w, r, call)
	case eksListPodIdentityAssociations:
		if h.clusterMissing(w, r, call, parts[1]) {
			return true
		}
		h.listPodIdentityAssociations(w, r, call, parts[1])
	case eksDescribePodIdentityAssociation, eksDeletePodIdentityAssociation:
		if h.clusterMissing(w, r, call, parts[1]) {
			return true
		}
		a, ok := h.takeAssociation(parts[1], parts[3], call.operation == eksDeletePodIdentityAssociation)
		if !ok {
			writeAPIError(w, call, http.StatusNotFound, "ResourceNotFoundException",
				"No Pod Identity association found for id: "+parts[3])
			return true
		}
		h.carriedOut(call, http.StatusOK)
		writeJSON(w, map[string]any{"association": associationJSON(a)})
	default:
		return false
	}
	return true
}

// describeCluster forwards the call to moto and rewrites the cluster's
// endpoint and certificate authority to the Kubernetes API stand-in's.
func (h *Host) describeCluster(w http.ResponseWriter, r *http.Request, call apiCall) {
	rec := httptest.NewRecorder()
	h.proxy.ServeHTTP(rec, r)
	h.carriedOut(call, rec.Code)
	if rec.Code != http.StatusOK {
		copyResponse(w, rec)
		return
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		writeAPIError(w, call, http.StatusInternalServerError, "ServerException", "moto's DescribeCluster answer is not JSON: "+err.Error())
		return
	}
	cluster, ok := out["cluster"].(map[string]any)
	if !ok {
		writeAPIError(w, call, http.StatusInternalServerError, "ServerException", "moto's DescribeCluster answer has no cluster")
		return
	}
	cluster["endpoint"] = h.opts.Kubernetes.URL()
	cluster["certificateAuthority"] = map[string]any{"data": base64.StdEncoding.EncodeToString(h.opts.Kubernetes.CAData())}
	writeJSON(w, out)
}

// clusterMissing answers ResourceNotFoundException, as EKS does, when moto
// has no cluster of that name.
func (h *Host) clusterMissing(w http.ResponseWriter, r *http.Request, call apiCall, cluster string) bool {
	describe := requestWithBody(r, nil)
	describe.Method = http.MethodGet
	describe.URL.Path, describe.URL.RawPath, describe.URL.RawQuery = "/clusters/"+cluster, "", ""
	rec := httptest.NewRecorder()
	h.proxy.ServeHTTP(rec, describe)
	if rec.Code == http.StatusOK {
		return false
	}
	if rec.Code == http.StatusNotFound {
		writeAPIError(w, call, http.StatusNotFound, "ResourceNotFoundException", "No cluster found for name: "+cluster+".")
		return true
	}
	copyResponse(w, rec)
	return true
}

// listPodIdentityAssociations lists the cluster's associations, filtered
// by the namespace and serviceAccount query parameters; one page.
func (h *Host) listPodIdentityAssociations(w http.ResponseWriter, r *http.Request, call apiCall, cluster string) {
	q := r.URL.Query()
	if q.Get("serviceAccount") != "" && q.Get("namespace") == "" {
		writeAPIError(w, call, http.StatusBadRequest, "InvalidParameterException", "serviceAccount requires namespace")
		return
	}
	summaries := []map[string]any{}
	for _, a := range h.PodIdentityAssociations() {
		if a.ClusterName != cluster || (q.Get("namespace") != "" && a.Namespace != q.Get("namespace")) ||
			(q.Get("serviceAccount") != "" && a.ServiceAccount != q.Get("serviceAccount")) {
			continue
		}
		summaries = append(summaries, map[string]any{
			"clusterName": a.ClusterName, "namespace": a.Namespace, "serviceAccount": a.ServiceAccount,
			"associationArn": a.AssociationARN, "associationId": a.AssociationID,
		})
	}
	writeJSON(w, map[string]any{"associations": summaries})
}

// takeAssociation finds the cluster's association id, and removes it when
// remove is set.
func (h *Host) takeAssociation(cluster, id string, remove bool) (PodIdentityAssociation, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, a := range h.associations {
		if a.ClusterName == cluster && a.AssociationID == id {
			if remove {
				h.associations = append(h.associations[:i:i], h.associations[i+1:]...)
			}
			return a, true
		}
	}
	return PodIdentityAssociation{}, false
}

func associationJSON(a PodIdentityAssociation) map[string]any {
	return map[string]any{
		"clusterName": a.ClusterName, "namespace": a.Namespace, "serviceAccount": a.ServiceAccount,
		"roleArn": a.RoleARN, "associationArn": a.AssociationARN, "associationId": a.AssociationID,
		"tags": map[string]string{}, "createdAt": epoch(a.CreatedAt), "modifiedAt": epoch(a.CreatedAt),
		"disableSessionTags": false,
	}
}
