package kubeapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// tokenPrefix starts every EKS bearer token; the rest is the base64url of
// a pre-signed STS GetCallerIdentity URL.
const tokenPrefix = "k8s-aws-v1."

// clusterIDHeader is the header an EKS token's URL must have signed: it
// names the cluster the token is for.
const clusterIDHeader = "x-k8s-aws-id"

// authenticate checks that the Authorization header carries an EKS token
// and returns the access key that signed it. The signature itself is not
// checked: moto accepts any credentials.
func authenticate(header string) (string, error) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return "", errors.New("no bearer token")
	}
	encoded, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return "", fmt.Errorf("the bearer token does not start with %s", tokenPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(encoded, "="))
	if err != nil {
		return "", fmt.Errorf("the bearer token is not base64url: %w", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return "", fmt.Errorf("the bearer token holds no URL: %w", err)
	}
	q := u.Query()
	if got := q.Get("Action"); got != "GetCallerIdentity" {
		return "", fmt.Errorf("the token's URL has Action %q, want GetCallerIdentity", got)
	}
	signed := strings.Split(strings.ToLower(q.Get("X-Amz-SignedHeaders")), ";")
	if !slices.Contains(signed, clusterIDHeader) {
		return "", fmt.Errorf("the token's URL does not sign %s (X-Amz-SignedHeaders %q)", clusterIDHeader, q.Get("X-Amz-SignedHeaders"))
	}
	for _, p := range []string{"X-Amz-Expires", "X-Amz-Signature", "X-Amz-Credential"} {
		if q.Get(p) == "" {
			return "", fmt.Errorf("the token's URL has no %s: it is not pre-signed", p)
		}
	}
	key, _, _ := strings.Cut(q.Get("X-Amz-Credential"), "/")
	return key, nil
}
