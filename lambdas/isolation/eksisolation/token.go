package eksisolation

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// EKS token format: the prefix, the header that binds a token to one
// cluster, and how long the pre-signed URL is valid.
const (
	TokenPrefix     = "k8s-aws-v1."
	ClusterIDHeader = "x-k8s-aws-id"
	TokenLifetime   = 60 * time.Second
)

// CallerIdentityPresigner pre-signs an STS GetCallerIdentity request;
// sts.PresignClient is one.
type CallerIdentityPresigner interface {
	PresignGetCallerIdentity(ctx context.Context, params *sts.GetCallerIdentityInput, optFns ...func(*sts.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// NewToken makes a bearer token for the EKS cluster clusterName: "k8s-aws-v1."
// and the unpadded base64url of a GetCallerIdentity URL, pre-signed with the
// caller's credentials, valid for TokenLifetime, whose signed headers include
// x-k8s-aws-id: clusterName. EKS calls that URL to learn who the caller is.
func NewToken(ctx context.Context, presigner CallerIdentityPresigner, clusterName string) (string, error) {
	if clusterName == "" {
		return "", errors.New("make an EKS token: cluster name is empty")
	}
	req, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(po *sts.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions,
				smithyhttp.AddHeaderValue(ClusterIDHeader, clusterName),
				addExpiresQuery(TokenLifetime),
			)
		})
	})
	if err != nil {
		return "", fmt.Errorf("pre-sign the STS GetCallerIdentity request for cluster %s: %w", clusterName, err)
	}
	// A client without credentials pre-signs nothing: it hands back the
	// bare URL, which EKS would refuse with a less telling answer.
	if u, err := url.Parse(req.URL); err != nil || u.Query().Get("X-Amz-Signature") == "" {
		return "", fmt.Errorf("pre-sign the STS GetCallerIdentity request for cluster %s: the URL is not signed (no AWS credentials?)", clusterName)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)), nil
}

// addExpiresQuery sets X-Amz-Expires on the request before it is signed; the
// SigV4 presigner signs the query as it finds it and sets no expiry itself.
func addExpiresQuery(lifetime time.Duration) func(*middleware.Stack) error {
	seconds := strconv.Itoa(int(lifetime / time.Second))
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("CasefileEKSTokenExpiry",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("set the token expiry: unexpected request type %T", in.Request)
				}
				query := req.URL.Query()
				query.Set("X-Amz-Expires", seconds)
				req.URL.RawQuery = query.Encode()
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}
