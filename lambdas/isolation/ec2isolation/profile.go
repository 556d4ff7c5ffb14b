package ec2isolation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/rolesessions"
)

// Keys of the instance-profile and role-sessions measures' Original and
// Applied.
const (
	KeyInstanceProfileARN = "instanceProfileArn"
	KeyAssociationID      = "associationId"
	KeyInstanceProfile    = "instanceProfile"
	KeyRoleARN            = "roleArn"
	KeyInlinePolicy       = "inlinePolicy"
	KeyRevokedBefore      = "revokedBefore"
	// NoProfile is the original instance profile of an instance that had
	// none.
	NoProfile = "none"
)

// association is the instance's current instance-profile association; a
// zero association means it has none.
type association struct {
	id, profileARN string
}

func (r *run) association(ctx context.Context) (association, error) {
	out, err := r.iso.EC2.DescribeIamInstanceProfileAssociations(ctx, &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []types.Filter{
			{Name: aws.String("instance-id"), Values: []string{r.inst.id}},
			{Name: aws.String("state"), Values: []string{
				string(types.IamInstanceProfileAssociationStateAssociating), string(types.IamInstanceProfileAssociationStateAssociated),
			}},
		},
	})
	if err != nil {
		return association{}, fmt.Errorf("describe the instance profile association of %s: %w", r.inst.id, err)
	}
	for _, a := range out.IamInstanceProfileAssociations {
		if aws.ToString(a.InstanceId) != r.inst.id || a.IamInstanceProfile == nil {
			continue
		}
		return association{id: aws.ToString(a.AssociationId), profileARN: aws.ToString(a.IamInstanceProfile.Arn)}, nil
	}
	return association{}, nil
}

// profileName is the name in an instance profile's ARN
// (arn:aws:iam::123456789012:instance-profile/path/name).
func profileName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// instanceProfile replaces the instance's profile by the deny profile, or
// associates the deny profile with an instance that had none.
func (r *run) instanceProfile(ctx context.Context) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureInstanceProfile, Target: r.inst.id}
	deny := r.iso.denyProfile()
	assoc, err := r.association(ctx)
	if err != nil {
		return failed(m, err)
	}
	wasDeny := assoc.id != "" && profileName(assoc.profileARN) == deny
	r.profileWasDeny = &wasDeny
	m.Original = map[string]string{KeyInstanceProfileARN: NoProfile}
	if assoc.id != "" {
		m.Original = map[string]string{KeyInstanceProfileARN: assoc.profileARN, KeyAssociationID: assoc.id}
	}
	if wasDeny {
		m.Applied = map[string]string{KeyInstanceProfile: deny, KeyAssociationID: assoc.id}
	}
	if r.already(ctx, &m, wasDeny) {
		r.profileOriginal = m.Original
		return m
	}
	if wasDeny {
		// Not Casefile's doing, or not recorded: the deny profile is the
		// original as far as anyone can tell.
		m.Status, m.Reason = investigation.MeasureApplied, "the instance already had the deny profile "+deny
		r.profileOriginal = m.Original
		r.after(ctx, &m)
		return m
	}
	r.before(ctx, &m)
	r.profileOriginal = m.Original

	spec := &types.IamInstanceProfileSpecification{Name: aws.String(deny)}
	var newAssoc *types.IamInstanceProfileAssociation
	if assoc.id != "" {
		out, err := r.iso.EC2.ReplaceIamInstanceProfileAssociation(ctx, &ec2.ReplaceIamInstanceProfileAssociationInput{
			AssociationId: aws.String(assoc.id), IamInstanceProfile: spec,
		})
		if err != nil {
			return failed(m, fmt.Errorf("replace instance profile %s by %s: %w", assoc.profileARN, deny, err))
		}
		newAssoc = out.IamInstanceProfileAssociation
	} else {
		out, err := r.iso.EC2.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{
			InstanceId: aws.String(r.inst.id), IamInstanceProfile: spec,
		})
		if err != nil {
			return failed(m, fmt.Errorf("associate instance profile %s: %w", deny, err))
		}
		newAssoc = out.IamInstanceProfileAssociation
	}
	m.Status = investigation.MeasureApplied
	m.Applied = map[string]string{KeyInstanceProfile: deny}
	if newAssoc != nil && newAssoc.AssociationId != nil {
		m.Applied[KeyAssociationID] = aws.ToString(newAssoc.AssociationId)
	}
	r.after(ctx, &m)
	return m
}

// profileStillDeny reports whether the instance had the deny profile
// before this run changed anything, which is when an earlier run's
// revocation of the old role's sessions still stands.
func (r *run) profileStillDeny(ctx context.Context) (bool, error) {
	if r.profileWasDeny != nil {
		return *r.profileWasDeny, nil
	}
	assoc, err := r.association(ctx)
	if err != nil {
		return false, err
	}
	return assoc.id != "" && profileName(assoc.profileARN) == r.iso.denyProfile(), nil
}

// originalProfileARN is the instance profile the instance had before the
// isolation: the instance-profile measure's original when it was read or
// recorded, else the current one.
func (r *run) originalProfileARN(ctx context.Context) (string, error) {
	original := r.profileOriginal
	if original == nil {
		if rec, ok := r.records[investigation.MeasureInstanceProfile]; ok {
			original = rec.Original
		}
	}
	if arn, ok := original[KeyInstanceProfileARN]; ok {
		return arn, nil
	}
	assoc, err := r.association(ctx)
	if err != nil || assoc.id == "" {
		return NoProfile, err
	}
	return assoc.profileARN, nil
}

// roleSessions revokes the sessions already issued for the original
// instance profile's role: the credentials that the instance, or whoever
// took them from it, holds now.
func (r *run) roleSessions(ctx context.Context) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureRoleSessions, Target: r.inst.id}
	arn, err := r.originalProfileARN(ctx)
	if err != nil {
		return failed(m, err)
	}
	if arn == NoProfile {
		m.Status, m.Reason = investigation.MeasureSkipped, "the instance has no instance profile, so no role sessions"
		return m
	}
	if profileName(arn) == r.iso.denyProfile() {
		m.Status, m.Reason = investigation.MeasureSkipped, "the instance's profile was already the deny profile, whose role denies everything"
		return m
	}
	// A revocation cannot be read back here (no iam:GetRolePolicy): an
	// earlier run's stands if it was recorded as applied and the deny
	// profile has stayed on since, so that no session of the old role
	// can have been issued to the instance after it.
	if rec, recorded := r.records[m.Name]; recorded && rec.Status == investigation.MeasureApplied {
		stillDeny, err := r.profileStillDeny(ctx)
		if err != nil {
			return failed(m, err)
		}
		if r.already(ctx, &m, stillDeny) {
			return m
		}
	}
	out, err := r.iso.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(profileName(arn))})
	if err != nil {
		return failed(m, fmt.Errorf("get instance profile %s: %w", arn, err))
	}
	var roleARNs, roleNames []string
	if out.InstanceProfile != nil {
		for _, role := range out.InstanceProfile.Roles {
			roleARNs = append(roleARNs, aws.ToString(role.Arn))
			roleNames = append(roleNames, aws.ToString(role.RoleName))
		}
	}
	if len(roleNames) == 0 {
		m.Status, m.Reason = investigation.MeasureSkipped, "instance profile "+arn+" has no role"
		return m
	}
	m.Target = strings.Join(roleARNs, ",")
	m.Original = map[string]string{KeyInstanceProfileARN: arn, KeyRoleARN: m.Target}
	r.before(ctx, &m)
	// The clock is read now, after the instance-profile measure (which
	// runs first) has put the deny profile on: a session of the old role
	// issued to the instance up to the swap is before the cut-off.
	before := rolesessions.CutOff(r.iso.now())
	for _, name := range roleNames {
		if err := rolesessions.Revoke(ctx, r.iso.IAM, name, before); err != nil {
			return failed(m, err)
		}
	}
	stamp := before.Format(time.RFC3339)
	m.Status = investigation.MeasureApplied
	m.Applied = map[string]string{KeyInlinePolicy: rolesessions.PolicyName, KeyRevokedBefore: stamp}
	m.Reason = joinReasons(fmt.Sprintf("every session of %s issued before %s is denied, on every instance and service "+
		"that uses the role, not only this one; sessions issued later are not affected; to undo, delete the inline policy %s",
		strings.Join(roleNames, ", "), stamp, rolesessions.PolicyName), m.Reason)
	r.after(ctx, &m)
	return m
}
