package host

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// caseGroup is the security group of one case's forensic instance.
type caseGroup struct {
	id      string
	created bool
}

// groupName is the name of st's case security group, unique in the VPC per
// case and evidence type so that a retried launch finds the group again.
func groupName(st investigation.State) string { return "casefile-" + executionName(st) }

// caseGroup finds or creates the case security group and sets its rules:
// no inbound rule at all, and outbound only TCP 443 to the VPC's own
// addresses (its interface endpoints: SSM, EC2 messages, EC2, KMS, logs)
// and to S3's prefix list (its gateway endpoint). The forensic subnets are
// meant to be isolated; should an existing VPC have a route out after all,
// the instance still reaches nothing but AWS's endpoints there. The
// default allow-all egress rule is revoked.
func (l *Launcher) caseGroup(ctx context.Context, st investigation.State, trail caserecords.Trail) (caseGroup, error) {
	name := groupName(st)
	group, err := l.findGroup(ctx, name)
	if err != nil {
		return caseGroup{}, err
	}
	if group.id == "" {
		group, err = l.createGroup(ctx, st, name)
		if err != nil {
			return caseGroup{}, err
		}
	}
	if err := l.restrictEgress(ctx, group.id); err != nil {
		if group.created {
			return caseGroup{}, l.abandonGroup(ctx, trail, group.id, err)
		}
		return caseGroup{}, err
	}
	if group.created {
		if err := trail.Record(ctx, "security-group-created", map[string]string{
			"securityGroupId": group.id, "vpcId": l.Config.VPCID,
		}, "no inbound rules; outbound TCP 443 to the VPC's addresses and S3's prefix list only"); err != nil {
			return caseGroup{}, err
		}
	}
	return group, nil
}

// findGroup looks for the case group by name in the VPC; a zero caseGroup
// means there is none.
func (l *Launcher) findGroup(ctx context.Context, name string) (caseGroup, error) {
	out, err := l.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{filter("vpc-id", l.Config.VPCID), filter("group-name", name)},
	})
	if err != nil {
		return caseGroup{}, investigation.Fail(investigation.ReasonInstanceLaunch,
			"look for security group %s in VPC %s: %w", name, l.Config.VPCID, err)
	}
	if len(out.SecurityGroups) == 0 {
		return caseGroup{}, nil
	}
	return caseGroup{id: aws.ToString(out.SecurityGroups[0].GroupId)}, nil
}

func (l *Launcher) createGroup(ctx context.Context, st investigation.State, name string) (caseGroup, error) {
	out, err := l.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(name),
		Description: aws.String("Casefile forensic instance of case " + st.ForensicID + " " + string(st.ForensicType)),
		VpcId:       aws.String(l.Config.VPCID),
		TagSpecifications: []types.TagSpecification{
			tagSpec(types.ResourceTypeSecurityGroup, caseTags(st, investigation.RoleCaseGroup)),
		},
	})
	if awserr.IsAlreadyExists(err) {
		// A concurrent attempt created it between our look and our create.
		return l.findGroup(ctx, name)
	}
	if err != nil {
		return caseGroup{}, investigation.Fail(investigation.ReasonInstanceLaunch,
			"create security group %s in VPC %s: %w", name, l.Config.VPCID, err)
	}
	return caseGroup{id: aws.ToString(out.GroupId), created: true}, nil
}

// restrictEgress replaces the default allow-all egress rule with TCP 443
// to the VPC's CIDR blocks and S3's prefix list. Both calls tolerate a rule
// already being as wanted, so a retry passes.
func (l *Launcher) restrictEgress(ctx context.Context, group string) error {
	https, err := l.endpointDestinations(ctx)
	if err != nil {
		return err
	}
	_, err = l.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{
		GroupId: aws.String(group),
		IpPermissions: []types.IpPermission{{
			IpProtocol: aws.String("-1"),
			IpRanges:   []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
		}},
	})
	if err != nil && !isCode(err, "InvalidPermission.NotFound") {
		return investigation.Fail(investigation.ReasonInstanceLaunch, "revoke default egress of security group %s: %w", group, err)
	}
	_, err = l.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{
		GroupId:       aws.String(group),
		IpPermissions: []types.IpPermission{https},
	})
	if err != nil && !isCode(err, "InvalidPermission.Duplicate") {
		return investigation.Fail(investigation.ReasonInstanceLaunch, "allow HTTPS egress of security group %s: %w", group, err)
	}
	return nil
}

// endpointDestinations is the TCP 443 rule to the VPC's associated IPv4
// CIDR blocks and S3's prefix list. Every Region has that prefix list, so
// finding none is an error here rather than an upload that fails at the
// end of the forensics.
func (l *Launcher) endpointDestinations(ctx context.Context) (types.IpPermission, error) {
	rule := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443)}
	if l.Config.Region == "" {
		return rule, investigation.Fail(investigation.ReasonInstanceLaunch, "no Region configured: S3's prefix list cannot be named")
	}
	vpcs, err := l.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{l.Config.VPCID}})
	if err != nil {
		return rule, investigation.Fail(investigation.ReasonInstanceLaunch, "describe VPC %s: %w", l.Config.VPCID, err)
	}
	for _, vpc := range vpcs.Vpcs {
		for _, c := range vpc.CidrBlockAssociationSet {
			if c.CidrBlockState == nil || c.CidrBlockState.State == types.VpcCidrBlockStateCodeAssociated {
				rule.IpRanges = append(rule.IpRanges, types.IpRange{
					CidrIp: c.CidrBlock, Description: aws.String("HTTPS to the VPC's interface endpoints"),
				})
			}
		}
	}
	if len(rule.IpRanges) == 0 {
		return rule, investigation.Fail(investigation.ReasonInstanceLaunch, "VPC %s has no associated IPv4 CIDR block", l.Config.VPCID)
	}
	name := "com.amazonaws." + l.Config.Region + ".s3"
	lists, err := l.EC2.DescribeManagedPrefixLists(ctx, &ec2.DescribeManagedPrefixListsInput{
		Filters: []types.Filter{filter("prefix-list-name", name)},
	})
	if err != nil {
		return rule, investigation.Fail(investigation.ReasonInstanceLaunch, "look up the prefix list %s: %w", name, err)
	}
	for _, pl := range lists.PrefixLists {
		rule.PrefixListIds = append(rule.PrefixListIds, types.PrefixListId{
			PrefixListId: pl.PrefixListId, Description: aws.String("HTTPS to S3 through its gateway endpoint"),
		})
	}
	if len(rule.PrefixListIds) == 0 {
		return rule, investigation.Fail(investigation.ReasonInstanceLaunch, "no managed prefix list %s: the forensics could not reach S3", name)
	}
	return rule, nil
}

// isCode reports whether err is an AWS API error with one of codes.
func isCode(err error, codes ...string) bool {
	if err == nil {
		return false
	}
	got := awserr.Code(err)
	for _, c := range codes {
		if got == c {
			return true
		}
	}
	return false
}
