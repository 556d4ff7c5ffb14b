package ec2isolation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// RoleIsolationGroup is the casefile:role tag of the isolation's security
// groups. They carry no casefile:forensic-type tag, so that the release
// of the case's forensic resources, which deletes what carries the
// forensic ID, the type and casefile:managed-by, leaves them in place.
const RoleIsolationGroup = "isolation-group"

// Names of the isolation groups, followed by the forensic ID.
const (
	AllowGroupPrefix = "casefile-isolation-allow-"
	DenyGroupPrefix  = "casefile-isolation-deny-"
)

// Keys of the security-group measure's Applied.
const (
	AppliedAllowGroup = "allowGroup"
	AppliedDenyGroup  = "denyGroup"
)

const (
	anyIPv4 = "0.0.0.0/0"
	anyIPv6 = "::/0"
)

// securityGroups moves every network interface of the instance first to
// the case's allow-all group, which turns the tracked connections into
// untracked ones, and then to its no-rule group, which ends them all.
// Should the second step fail, the interfaces go back to their original
// groups rather than stay open to everything.
func (r *run) securityGroups(ctx context.Context) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureSecurityGroups, Target: r.inst.id}
	if len(r.inst.interfaces) == 0 {
		m.Status, m.Reason = investigation.MeasureSkipped, "the instance has no network interface"
		return m
	}
	m.Original = r.originalGroups()
	if r.already(ctx, &m, r.inRecordedDenyGroup()) {
		return m
	}
	allow, err := r.isolationGroup(ctx, AllowGroupPrefix, "allows all traffic, so that tracked connections become untracked", allowAll)
	if err != nil {
		return failed(m, err)
	}
	deny, err := r.isolationGroup(ctx, DenyGroupPrefix, "no rules: nothing in, nothing out", noRules)
	if err != nil {
		return failed(m, err)
	}
	m.Applied = map[string]string{AppliedAllowGroup: allow, AppliedDenyGroup: deny}
	r.before(ctx, &m)

	for _, group := range []string{allow, deny} {
		for _, ni := range r.inst.interfaces {
			if err := r.setGroups(ctx, ni.id, []string{group}); err != nil {
				return failed(m, r.restoreGroups(ctx, m.Original, fmt.Errorf("move %s to %s: %w", ni.id, group, err)))
			}
		}
	}
	m.Status = investigation.MeasureApplied
	r.after(ctx, &m)
	return m
}

// originalGroups are each interface's groups before the isolation: the
// current ones, or the recorded ones for an interface that is still in an
// earlier run's isolation groups.
func (r *run) originalGroups() map[string]string {
	rec := r.records[investigation.MeasureSecurityGroups]
	isolation := []string{rec.Applied[AppliedAllowGroup], rec.Applied[AppliedDenyGroup]}
	original := map[string]string{}
	for _, ni := range r.inst.interfaces {
		recorded, ok := rec.Original[ni.id]
		inIsolation := len(ni.groups) > 0 && !slices.ContainsFunc(ni.groups, func(g string) bool { return !slices.Contains(isolation, g) })
		if ok && inIsolation {
			original[ni.id] = recorded
			continue
		}
		original[ni.id] = strings.Join(ni.groups, ",")
	}
	return original
}

// inRecordedDenyGroup reports whether every interface has only the
// no-rule group of an earlier run's record.
func (r *run) inRecordedDenyGroup() bool {
	deny := r.records[investigation.MeasureSecurityGroups].Applied[AppliedDenyGroup]
	if deny == "" {
		return false
	}
	for _, ni := range r.inst.interfaces {
		if !slices.Equal(ni.groups, []string{deny}) {
			return false
		}
	}
	return true
}

func (r *run) setGroups(ctx context.Context, eni string, groups []string) error {
	_, err := r.iso.EC2.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{
		NetworkInterfaceId: aws.String(eni), Groups: groups,
	})
	return err
}

// restoreGroups puts every interface back into its original groups after
// cause, and says what became of them.
func (r *run) restoreGroups(ctx context.Context, original map[string]string, cause error) error {
	var notRestored []string
	for _, ni := range r.inst.interfaces {
		groups := ni.groups
		if o, ok := original[ni.id]; ok && o != "" {
			groups = strings.Split(o, ",")
		}
		if err := r.setGroups(ctx, ni.id, groups); err != nil {
			notRestored = append(notRestored, ni.id+" ("+apiMessage(err)+")")
		}
	}
	if len(notRestored) > 0 {
		return fmt.Errorf("%w; NOT restored to the original groups, check them now: %s", cause, strings.Join(notRestored, ", "))
	}
	return fmt.Errorf("%w; the interfaces are back in their original groups", cause)
}

// groupRules is which rules an isolation group must have.
type groupRules int

const (
	allowAll groupRules = iota
	noRules
)

// isolationGroup finds or creates the case's group of the given name
// prefix in the instance's VPC and gives it its rules. It finds the group
// again on a retry and when another measure's run created it meanwhile.
func (r *run) isolationGroup(ctx context.Context, prefix, purpose string, rules groupRules) (string, error) {
	name := prefix + r.target.ForensicID
	group, found, err := r.findGroup(ctx, name)
	if err != nil {
		return "", err
	}
	if !found {
		_, err := r.iso.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName:   aws.String(name),
			Description: aws.String("Casefile isolation of case " + r.target.ForensicID + ": " + purpose),
			VpcId:       aws.String(r.inst.vpcID),
			TagSpecifications: []types.TagSpecification{{
				ResourceType: types.ResourceTypeSecurityGroup,
				Tags: []types.Tag{
					{Key: aws.String(investigation.TagForensicID), Value: aws.String(r.target.ForensicID)},
					{Key: aws.String(investigation.TagManagedBy), Value: aws.String(investigation.ManagedByValue)},
					{Key: aws.String(investigation.TagRole), Value: aws.String(RoleIsolationGroup)},
				},
			}},
		})
		if err != nil && !awserr.IsAlreadyExists(err) {
			return "", fmt.Errorf("create security group %s in %s: %w", name, r.inst.vpcID, err)
		}
		// Described again, created or found, for its rules.
		group, found, err = r.findGroup(ctx, name)
		if err != nil {
			return "", err
		}
		if !found {
			return "", fmt.Errorf("security group %s was created but is not found in %s", name, r.inst.vpcID)
		}
	}
	id := aws.ToString(group.GroupId)
	if rules == allowAll {
		return id, r.allowEverything(ctx, group)
	}
	return id, r.removeRules(ctx, group)
}

func (r *run) findGroup(ctx context.Context, name string) (types.SecurityGroup, bool, error) {
	out, err := r.iso.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{r.inst.vpcID}},
			{Name: aws.String("group-name"), Values: []string{name}},
		},
	})
	if err != nil {
		return types.SecurityGroup{}, false, fmt.Errorf("look for security group %s in %s: %w", name, r.inst.vpcID, err)
	}
	for _, g := range out.SecurityGroups {
		if aws.ToString(g.GroupName) == name {
			return g, true, nil
		}
	}
	return types.SecurityGroup{}, false, nil
}

// allowEverything adds whichever of the allow-all rules (every protocol
// from and to any IPv4 and IPv6 address) the group lacks.
func (r *run) allowEverything(ctx context.Context, g types.SecurityGroup) error {
	id := aws.ToString(g.GroupId)
	if perm, missing := missingAllowAll(g.IpPermissions); missing {
		_, err := r.iso.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(id), IpPermissions: []types.IpPermission{perm},
		})
		if err != nil && !isCode(err, "InvalidPermission.Duplicate") {
			return fmt.Errorf("allow all inbound traffic in %s: %w", id, err)
		}
	}
	if perm, missing := missingAllowAll(g.IpPermissionsEgress); missing {
		_, err := r.iso.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{
			GroupId: aws.String(id), IpPermissions: []types.IpPermission{perm},
		})
		if err != nil && !isCode(err, "InvalidPermission.Duplicate") {
			return fmt.Errorf("allow all outbound traffic in %s: %w", id, err)
		}
	}
	return nil
}

// missingAllowAll is the all-protocol rule for whichever of any IPv4 and
// any IPv6 address perms lacks.
func missingAllowAll(perms []types.IpPermission) (types.IpPermission, bool) {
	var hasV4, hasV6 bool
	for _, p := range perms {
		if aws.ToString(p.IpProtocol) != "-1" {
			continue
		}
		hasV4 = hasV4 || slices.ContainsFunc(p.IpRanges, func(r types.IpRange) bool { return aws.ToString(r.CidrIp) == anyIPv4 })
		hasV6 = hasV6 || slices.ContainsFunc(p.Ipv6Ranges, func(r types.Ipv6Range) bool { return aws.ToString(r.CidrIpv6) == anyIPv6 })
	}
	perm := types.IpPermission{IpProtocol: aws.String("-1")}
	if !hasV4 {
		perm.IpRanges = []types.IpRange{{CidrIp: aws.String(anyIPv4)}}
	}
	if !hasV6 {
		perm.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(anyIPv6)}}
	}
	return perm, !hasV4 || !hasV6
}

// removeRules revokes the group's outbound rules (a new group has one
// that allows everything). The group never had inbound rules; should it
// have some now, it is not the no-rule group it should be.
func (r *run) removeRules(ctx context.Context, g types.SecurityGroup) error {
	id := aws.ToString(g.GroupId)
	if len(g.IpPermissions) > 0 {
		return fmt.Errorf("security group %s has inbound rules that Casefile did not add; remove them or the group", id)
	}
	if len(g.IpPermissionsEgress) == 0 {
		return nil
	}
	_, err := r.iso.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{
		GroupId: aws.String(id), IpPermissions: g.IpPermissionsEgress,
	})
	if err != nil && !isCode(err, "InvalidPermission.NotFound") {
		return fmt.Errorf("revoke the outbound rules of %s: %w", id, err)
	}
	return nil
}

// failed marks m FAILED with err's message.
func failed(m investigation.Measure, err error) investigation.Measure {
	m.Status = investigation.MeasureFailed
	m.Reason = joinReasons(errorMessage(err), m.Reason)
	return m
}
