package ec2isolation

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/rolesessions"
)

const (
	denyProfile    = investigation.DefaultIsolationDenyProfile
	denyProfileARN = profileARNBase + denyProfile
)

// byName indexes measures by name, checking there is one per EC2 measure
// in the order of investigation.EC2Measures.
func byName(t *testing.T, measures []investigation.Measure) map[investigation.MeasureName]investigation.Measure {
	t.Helper()
	var names []investigation.MeasureName
	out := map[investigation.MeasureName]investigation.Measure{}
	for _, m := range measures {
		names = append(names, m.Name)
		out[m.Name] = m
	}
	require.Equal(t, investigation.EC2Measures, names, "one measure per EC2 measure, in order")
	return out
}

func isolate(t *testing.T, w *world, target Target) map[investigation.MeasureName]investigation.Measure {
	t.Helper()
	measures, err := w.isolator().Isolate(context.Background(), target)
	require.NoError(t, err)
	return byName(t, measures)
}

var caseOne = Target{ForensicID: "case-1", InstanceID: testInstance}

func groupTags(g *types.SecurityGroup) map[string]string {
	tags := map[string]string{}
	for _, t := range g.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags
}

func TestIsolateAppliesEveryMeasure(t *testing.T) {
	w := newWorld()
	got := isolate(t, w, caseOne)

	for _, name := range investigation.EC2Measures {
		assert.Equal(t, investigation.MeasureApplied, got[name].Status, "%s (reason %q)", name, got[name].Reason)
	}

	allow := w.ec2.groupByName("casefile-isolation-allow-case-1")
	deny := w.ec2.groupByName("casefile-isolation-deny-case-1")
	require.NotNil(t, allow, "the allow-all group exists")
	require.NotNil(t, deny, "the no-rule group exists")
	allowID, denyID := aws.ToString(allow.GroupId), aws.ToString(deny.GroupId)
	for _, g := range []*types.SecurityGroup{allow, deny} {
		assert.Equal(t, testVPC, aws.ToString(g.VpcId), "%s is in the instance's VPC", aws.ToString(g.GroupName))
		tags := groupTags(g)
		assert.Equal(t, "case-1", tags[investigation.TagForensicID], "%s forensic ID tag", aws.ToString(g.GroupName))
		assert.Equal(t, investigation.ManagedByValue, tags[investigation.TagManagedBy], "%s managed-by tag", aws.ToString(g.GroupName))
		assert.Equal(t, RoleIsolationGroup, tags[investigation.TagRole], "%s role tag", aws.ToString(g.GroupName))
		assert.NotContains(t, tags, investigation.TagForensicType, "%s must not carry the forensic type: the release would delete it", aws.ToString(g.GroupName))
	}
	_, missingIn := missingAllowAll(allow.IpPermissions)
	_, missingOut := missingAllowAll(allow.IpPermissionsEgress)
	assert.False(t, missingIn, "the allow-all group allows everything in (IPv4 and IPv6): %+v", allow.IpPermissions)
	assert.False(t, missingOut, "the allow-all group allows everything out (IPv4 and IPv6): %+v", allow.IpPermissionsEgress)
	assert.Empty(t, deny.IpPermissions, "the no-rule group has no inbound rule")
	assert.Empty(t, deny.IpPermissionsEgress, "the no-rule group has no outbound rule")

	sg := got[investigation.MeasureSecurityGroups]
	assert.Equal(t, testInstance, sg.Target)
	assert.Equal(t, map[string]string{primaryENI: "sg-0web,sg-0ssh", secondENI: "sg-0db"}, sg.Original)
	assert.Equal(t, map[string]string{AppliedAllowGroup: allowID, AppliedDenyGroup: denyID}, sg.Applied)
	assert.Equal(t, map[string][]string{primaryENI: {denyID}, secondENI: {denyID}}, w.ec2.interfaceGroups(testInstance),
		"every interface has only the no-rule group")
	assert.Equal(t, []string{
		primaryENI + ":" + allowID, secondENI + ":" + allowID, primaryENI + ":" + denyID, secondENI + ":" + denyID,
	}, w.ec2.moves, "every interface goes to the allow-all group before any goes to the no-rule group")

	prof := got[investigation.MeasureInstanceProfile]
	assert.Equal(t, map[string]string{KeyInstanceProfileARN: profileARNBase + appProfile, KeyAssociationID: "iip-assoc-0orig"}, prof.Original)
	assert.Equal(t, denyProfile, prof.Applied[KeyInstanceProfile])
	assert.Equal(t, denyProfileARN, aws.ToString(w.ec2.associations[testInstance].IamInstanceProfile.Arn), "the instance has the deny profile")
	assert.Equal(t, aws.ToString(w.ec2.associations[testInstance].AssociationId), prof.Applied[KeyAssociationID])

	sessions := got[investigation.MeasureRoleSessions]
	assert.Equal(t, appRoleARN, sessions.Target, "the role sessions' target is the role")
	assert.Equal(t, map[string]string{KeyInstanceProfileARN: profileARNBase + appProfile, KeyRoleARN: appRoleARN}, sessions.Original)
	assert.Equal(t, map[string]string{KeyInlinePolicy: rolesessions.PolicyName, KeyRevokedBefore: "2026-12-04T11:30:16Z"}, sessions.Applied)
	assert.Contains(t, sessions.Reason, "on every instance and service that uses the role", "the side effect is said")
	put := w.iam.policies[appRole]
	require.NotNil(t, put, "the revocation policy is on the original role")
	want, err := rolesessions.Document(rolesessions.CutOff(testNow))
	require.NoError(t, err)
	assert.Equal(t, rolesessions.PolicyName, aws.ToString(put.PolicyName))
	assert.JSONEq(t, want, aws.ToString(put.PolicyDocument))

	term := got[investigation.MeasureTerminationProtection]
	assert.Equal(t, map[string]string{KeyDisableAPITermination: "false"}, term.Original)
	assert.True(t, w.ec2.termination[testInstance], "termination protection is on")

	eips := got[investigation.MeasureElasticIPs]
	assert.Equal(t, map[string]string{
		"eipalloc-0one.publicIp": "203.0.113.10", "eipalloc-0one.associationId": "eipassoc-0one",
		"eipalloc-0one.networkInterfaceId": primaryENI, "eipalloc-0one.privateIp": "10.0.1.10",
		"eipalloc-0two.publicIp": "203.0.113.20", "eipalloc-0two.associationId": "eipassoc-0two",
		"eipalloc-0two.networkInterfaceId": secondENI, "eipalloc-0two.privateIp": "10.0.2.20",
	}, eips.Original)
	assert.Equal(t, map[string]string{"eipalloc-0one": AppliedDisassociated, "eipalloc-0two": AppliedDisassociated}, eips.Applied)
	assert.Equal(t, []string{"eipalloc-0other"}, w.ec2.associatedAddresses(), "only another instance's address is still associated")

	asg := got[investigation.MeasureAutoScaling]
	assert.Equal(t, map[string]string{KeyAutoScalingGroup: testGroup, KeyProtectedFromScaleIn: "false", KeyLifecycleState: "InService"}, asg.Original)
	assert.Equal(t, map[string]string{KeyProtectedFromScaleIn: "true", KeyDetachedFrom: testGroup}, asg.Applied)
	assert.Empty(t, w.asg.members, "the instance is out of its group")
	require.Len(t, w.asg.detached, 1)
	assert.False(t, aws.ToBool(w.asg.detached[0].ShouldDecrementDesiredCapacity), "the group keeps its desired capacity")

	calls := *w.calls
	protect, detach := slices.Index(calls, "SetInstanceProtection"), slices.Index(calls, "DetachInstances")
	terminate, swap := slices.Index(calls, "ModifyInstanceAttribute"), slices.Index(calls, "ModifyNetworkInterfaceAttribute")
	assert.True(t, terminate < swap && protect < detach && detach < swap,
		"termination protection (call %d) and the detachment (protect %d, detach %d) come before the network is cut (call %d)", terminate, protect, detach, swap)

	by, ok := w.ec2.tag(testInstance, TagIsolatedBy)
	assert.True(t, ok, "the instance is tagged %s", TagIsolatedBy)
	assert.Equal(t, "case-1", by)
}

// TestIsolateOneFailureLeavesTheOthersApplied refuses one call at a time:
// its measure (or the measures that need it) fail with the API's message,
// every other measure is applied.
func TestIsolateOneFailureLeavesTheOthersApplied(t *testing.T) {
	tests := []struct {
		op         string
		wantFailed []investigation.MeasureName
		wantReason string
	}{
		{op: "DescribeSecurityGroups", wantFailed: []investigation.MeasureName{investigation.MeasureSecurityGroups}},
		{op: "CreateSecurityGroup", wantFailed: []investigation.MeasureName{investigation.MeasureSecurityGroups}},
		{op: "AuthorizeSecurityGroupIngress", wantFailed: []investigation.MeasureName{investigation.MeasureSecurityGroups}},
		{op: "RevokeSecurityGroupEgress", wantFailed: []investigation.MeasureName{investigation.MeasureSecurityGroups}},
		{op: "ModifyNetworkInterfaceAttribute", wantFailed: []investigation.MeasureName{investigation.MeasureSecurityGroups}, wantReason: "NOT restored"},
		{op: "DescribeIamInstanceProfileAssociations", wantFailed: []investigation.MeasureName{investigation.MeasureInstanceProfile, investigation.MeasureRoleSessions}},
		{op: "ReplaceIamInstanceProfileAssociation", wantFailed: []investigation.MeasureName{investigation.MeasureInstanceProfile}},
		{op: "GetInstanceProfile", wantFailed: []investigation.MeasureName{investigation.MeasureRoleSessions}},
		{op: "PutRolePolicy", wantFailed: []investigation.MeasureName{investigation.MeasureRoleSessions}},
		{op: "DescribeInstanceAttribute", wantFailed: []investigation.MeasureName{investigation.MeasureTerminationProtection}},
		{op: "ModifyInstanceAttribute", wantFailed: []investigation.MeasureName{investigation.MeasureTerminationProtection}},
		{op: "DescribeAddresses", wantFailed: []investigation.MeasureName{investigation.MeasureElasticIPs}},
		{op: "DisassociateAddress", wantFailed: []investigation.MeasureName{investigation.MeasureElasticIPs}},
		{op: "DescribeAutoScalingInstances", wantFailed: []investigation.MeasureName{investigation.MeasureAutoScaling}},
		{op: "SetInstanceProtection", wantFailed: []investigation.MeasureName{investigation.MeasureAutoScaling}},
		{op: "DetachInstances", wantFailed: []investigation.MeasureName{investigation.MeasureAutoScaling}, wantReason: "protected from scale-in"},
	}
	for _, tc := range tests {
		t.Run(tc.op+" refused", func(t *testing.T) {
			w := newWorld()
			w.refuse(failOn(tc.op))
			got := isolate(t, w, caseOne)
			for _, name := range investigation.EC2Measures {
				m := got[name]
				if !slices.Contains(tc.wantFailed, name) {
					assert.Equal(t, investigation.MeasureApplied, m.Status, "%s is applied although %s was refused (reason %q)", name, tc.op, m.Reason)
					continue
				}
				assert.Equal(t, investigation.MeasureFailed, m.Status, "%s fails when %s is refused", name, tc.op)
				assert.Contains(t, m.Reason, "UnauthorizedOperation: not allowed to "+tc.op, "%s's reason has the API's message", name)
				assert.NotContains(t, m.Reason, "operation error", "%s's reason is without the SDK's wrapping", name)
				assert.Contains(t, m.Reason, tc.wantReason, "%s's reason", name)
			}
		})
	}
}

func TestSecurityGroupsRestoredWhenTheNoRuleStepFails(t *testing.T) {
	w := newWorld()
	w.refuse(func(op string, in any) error {
		mod, ok := in.(*ec2.ModifyNetworkInterfaceAttributeInput)
		deny := w.ec2.groupByName("casefile-isolation-deny-case-1")
		if ok && deny != nil && slices.Equal(mod.Groups, []string{aws.ToString(deny.GroupId)}) && aws.ToString(mod.NetworkInterfaceId) == secondENI {
			return apiError("EC2", op, "InvalidParameterValue", "refused")
		}
		return nil
	})
	got := isolate(t, w, caseOne)

	sg := got[investigation.MeasureSecurityGroups]
	assert.Equal(t, investigation.MeasureFailed, sg.Status)
	assert.Contains(t, sg.Reason, "the interfaces are back in their original groups")
	assert.Equal(t, map[string][]string{primaryENI: {"sg-0web", "sg-0ssh"}, secondENI: {"sg-0db"}}, w.ec2.interfaceGroups(testInstance),
		"no interface is left in the allow-all group")
}

func TestIsolateSpotInstance(t *testing.T) {
	w := newWorld()
	w.ec2.instances[testInstance].InstanceLifecycle = types.InstanceLifecycleTypeSpot
	got := isolate(t, w, caseOne)

	term := got[investigation.MeasureTerminationProtection]
	assert.Equal(t, investigation.MeasureImpossible, term.Status)
	assert.Contains(t, term.Reason, "Spot")
	assert.Contains(t, term.Reason, "reclaim")
	assert.Equal(t, map[string]string{KeyInstanceLifecycle: "spot"}, term.Original)
	assert.Zero(t, w.calls.count("DescribeInstanceAttribute", "ModifyInstanceAttribute"), "termination protection is not tried on Spot")
	assert.False(t, w.ec2.termination[testInstance])
	for _, name := range investigation.EC2Measures {
		if name != investigation.MeasureTerminationProtection {
			assert.Equal(t, investigation.MeasureApplied, got[name].Status, "%s (reason %q)", name, got[name].Reason)
		}
	}
}

func TestIsolateWithLittleToDo(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(w *world)
		measure investigation.MeasureName
		want    investigation.Measure
		check   func(t *testing.T, w *world)
	}{
		{
			name:    "no instance profile: the deny profile is associated",
			prepare: func(w *world) { delete(w.ec2.associations, testInstance) },
			measure: investigation.MeasureInstanceProfile,
			want: investigation.Measure{
				Name: investigation.MeasureInstanceProfile, Target: testInstance, Status: investigation.MeasureApplied,
				Original: map[string]string{KeyInstanceProfileARN: NoProfile},
				Applied:  map[string]string{KeyInstanceProfile: denyProfile, KeyAssociationID: "iip-assoc-0003"},
			},
			check: func(t *testing.T, w *world) {
				assert.Equal(t, denyProfileARN, aws.ToString(w.ec2.associations[testInstance].IamInstanceProfile.Arn))
			},
		},
		{
			name:    "no instance profile: no role sessions",
			prepare: func(w *world) { delete(w.ec2.associations, testInstance) },
			measure: investigation.MeasureRoleSessions,
			want: investigation.Measure{
				Name: investigation.MeasureRoleSessions, Target: testInstance, Status: investigation.MeasureSkipped,
				Reason: "the instance has no instance profile, so no role sessions",
			},
			check: func(t *testing.T, w *world) { assert.Empty(t, w.iam.policies) },
		},
		{
			name:    "instance profile without a role",
			prepare: func(w *world) { w.iam.profiles[appProfile] = nil },
			measure: investigation.MeasureRoleSessions,
			want: investigation.Measure{
				Name: investigation.MeasureRoleSessions, Target: testInstance, Status: investigation.MeasureSkipped,
				Reason: "instance profile " + profileARNBase + appProfile + " has no role",
			},
		},
		{
			name: "already the deny profile",
			prepare: func(w *world) {
				w.ec2.associations[testInstance].IamInstanceProfile.Arn = aws.String(denyProfileARN)
			},
			measure: investigation.MeasureInstanceProfile,
			want: investigation.Measure{
				Name: investigation.MeasureInstanceProfile, Target: testInstance, Status: investigation.MeasureApplied,
				Reason:   "the instance already had the deny profile " + denyProfile,
				Original: map[string]string{KeyInstanceProfileARN: denyProfileARN, KeyAssociationID: "iip-assoc-0orig"},
				Applied:  map[string]string{KeyInstanceProfile: denyProfile, KeyAssociationID: "iip-assoc-0orig"},
			},
			check: func(t *testing.T, w *world) {
				assert.Zero(t, w.calls.count("ReplaceIamInstanceProfileAssociation", "AssociateIamInstanceProfile", "PutRolePolicy"))
			},
		},
		{
			name:    "no Elastic IP",
			prepare: func(w *world) { w.ec2.addresses = w.ec2.addresses[2:] },
			measure: investigation.MeasureElasticIPs,
			want: investigation.Measure{
				Name: investigation.MeasureElasticIPs, Target: testInstance, Status: investigation.MeasureSkipped,
				Reason: "no Elastic IP is associated with the instance",
			},
			check: func(t *testing.T, w *world) { assert.Zero(t, w.calls.count("DisassociateAddress")) },
		},
		{
			name:    "not in an Auto Scaling group",
			prepare: func(w *world) { delete(w.asg.members, testInstance) },
			measure: investigation.MeasureAutoScaling,
			want: investigation.Measure{
				Name: investigation.MeasureAutoScaling, Target: testInstance, Status: investigation.MeasureSkipped,
				Reason: "the instance is in no Auto Scaling group",
			},
			check: func(t *testing.T, w *world) {
				assert.Zero(t, w.calls.count("SetInstanceProtection", "DetachInstances"))
			},
		},
		{
			name:    "termination protection already on",
			prepare: func(w *world) { w.ec2.termination[testInstance] = true },
			measure: investigation.MeasureTerminationProtection,
			want: investigation.Measure{
				Name: investigation.MeasureTerminationProtection, Target: testInstance, Status: investigation.MeasureApplied,
				Reason:   "termination protection was already on",
				Original: map[string]string{KeyDisableAPITermination: "true"},
				Applied:  map[string]string{KeyDisableAPITermination: "true"},
			},
			check: func(t *testing.T, w *world) { assert.Zero(t, w.calls.count("ModifyInstanceAttribute")) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			tc.prepare(w)
			got := isolate(t, w, caseOne)
			assert.Equal(t, tc.want, got[tc.measure])
			if tc.check != nil {
				tc.check(t, w)
			}
		})
	}
}

func TestIsolateOnlyTheMeasuresAsked(t *testing.T) {
	w := newWorld()
	got := isolate(t, w, Target{
		ForensicID: "case-1", InstanceID: testInstance,
		// An EKS decision's measures may name node measures too.
		Measures: []investigation.MeasureName{investigation.MeasureCordon, investigation.MeasureElasticIPs},
	})
	for _, name := range investigation.EC2Measures {
		if name == investigation.MeasureElasticIPs {
			assert.Equal(t, investigation.MeasureApplied, got[name].Status, "%s was asked for", name)
			continue
		}
		assert.Equal(t, investigation.Measure{Name: name, Target: testInstance, Status: investigation.MeasureSkipped, Reason: "not asked for by the policy"}, got[name])
	}
	assert.Equal(t, 2, w.calls.count(mutatingOps...), "only the two disassociations change anything: %v", *w.calls)
	assert.Equal(t, map[string][]string{primaryENI: {"sg-0web", "sg-0ssh"}, secondENI: {"sg-0db"}}, w.ec2.interfaceGroups(testInstance))
}

// TestIsolateAgain runs the isolation a second time, as the case's other
// evidence type, a retry or another case do: the instance is found
// already isolated, nothing changes, and the originals are the ones from
// before the first run rather than the isolation's own settings.
func TestIsolateAgain(t *testing.T) {
	tests := []struct {
		name, secondCase string
		// lingering: the instance is still listed in its group,
		// Detaching, when the second run looks.
		lingering bool
	}{
		{name: "same case", secondCase: "case-1"},
		{name: "another case", secondCase: "case-2"},
		{name: "right after the detachment", secondCase: "case-1", lingering: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			w.asg.lingering = tc.lingering
			first := isolate(t, w, caseOne)
			*w.calls = nil

			second := isolate(t, w, Target{ForensicID: tc.secondCase, InstanceID: testInstance})
			for _, name := range investigation.EC2Measures {
				want := first[name]
				want.Reason = "already isolated by case case-1"
				assert.Equal(t, want, second[name], "%s on the second run", name)
			}
			assert.Zero(t, w.calls.count(mutatingOps...), "the second run changes nothing: %v", *w.calls)
			by, _ := w.ec2.tag(testInstance, TagIsolatedBy)
			assert.Equal(t, "case-1", by, "the instance still names the case that isolated it")
		})
	}
}

// TestIsolateRetryAfterFailure: a measure that failed part-way runs again
// and keeps the originals recorded before its first try, although the
// instance has changed since.
func TestIsolateRetryAfterFailure(t *testing.T) {
	tests := []struct {
		name    string
		fail    failFunc
		measure investigation.MeasureName
		want    investigation.Measure
	}{
		{
			name: "one of two addresses disassociated",
			fail: func(op string, in any) error {
				if d, ok := in.(*ec2.DisassociateAddressInput); ok && aws.ToString(d.AssociationId) == "eipassoc-0two" {
					return apiError("EC2", op, "UnauthorizedOperation", "no")
				}
				return nil
			},
			measure: investigation.MeasureElasticIPs,
			want: investigation.Measure{
				Name: investigation.MeasureElasticIPs, Target: testInstance, Status: investigation.MeasureApplied,
				Original: map[string]string{
					"eipalloc-0one.publicIp": "203.0.113.10", "eipalloc-0one.associationId": "eipassoc-0one",
					"eipalloc-0one.networkInterfaceId": primaryENI, "eipalloc-0one.privateIp": "10.0.1.10",
					"eipalloc-0two.publicIp": "203.0.113.20", "eipalloc-0two.associationId": "eipassoc-0two",
					"eipalloc-0two.networkInterfaceId": secondENI, "eipalloc-0two.privateIp": "10.0.2.20",
				},
				Applied: map[string]string{"eipalloc-0one": AppliedDisassociated, "eipalloc-0two": AppliedDisassociated},
			},
		},
		{
			name:    "protected from scale-in but not detached",
			fail:    failOn("DetachInstances"),
			measure: investigation.MeasureAutoScaling,
			want: investigation.Measure{
				Name: investigation.MeasureAutoScaling, Target: testInstance, Status: investigation.MeasureApplied,
				Reason:   "detached without decrementing the desired capacity: the group launches a replacement, and the instance leaves the group's load balancers and target groups",
				Original: map[string]string{KeyAutoScalingGroup: testGroup, KeyProtectedFromScaleIn: "false", KeyLifecycleState: "InService"},
				Applied:  map[string]string{KeyProtectedFromScaleIn: "true", KeyDetachedFrom: testGroup},
			},
		},
		{
			name:    "role sessions not revoked",
			fail:    failOn("PutRolePolicy"),
			measure: investigation.MeasureRoleSessions,
			want: investigation.Measure{
				Name: investigation.MeasureRoleSessions, Target: appRoleARN, Status: investigation.MeasureApplied,
				Reason: "every session of app-role issued before 2026-12-04T11:30:16Z is denied, on every instance and service that uses the role, " +
					"not only this one; sessions issued later are not affected; to undo, delete the inline policy " + rolesessions.PolicyName,
				Original: map[string]string{KeyInstanceProfileARN: profileARNBase + appProfile, KeyRoleARN: appRoleARN},
				Applied:  map[string]string{KeyInlinePolicy: rolesessions.PolicyName, KeyRevokedBefore: "2026-12-04T11:30:16Z"},
			},
		},
		{
			name: "groups swapped but the final record not written",
			fail: func(op string, in any) error {
				tags, ok := in.(*ec2.CreateTagsInput)
				if ok && aws.ToString(tags.Tags[0].Key) == TagOriginalPrefix+string(investigation.MeasureSecurityGroups) &&
					strings.Contains(aws.ToString(tags.Tags[0].Value), `"status":"APPLIED"`) {
					return apiError("EC2", op, "RequestLimitExceeded", "slow down")
				}
				return nil
			},
			measure: investigation.MeasureSecurityGroups,
			want: investigation.Measure{
				Name: investigation.MeasureSecurityGroups, Target: testInstance, Status: investigation.MeasureApplied,
				Reason:   "already isolated by case case-1",
				Original: map[string]string{primaryENI: "sg-0web,sg-0ssh", secondENI: "sg-0db"},
				Applied:  map[string]string{AppliedAllowGroup: "sg-0001", AppliedDenyGroup: "sg-0002"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			w.refuse(tc.fail)
			first := isolate(t, w, caseOne)
			unfinished := first[tc.measure].Status == investigation.MeasureFailed || strings.Contains(first[tc.measure].Reason, "could not be tagged")
			require.True(t, unfinished, "the first run leaves %s unfinished or unrecorded: %+v", tc.measure, first[tc.measure])

			w.refuse(nil)
			second := isolate(t, w, Target{ForensicID: "case-1", InstanceID: testInstance})
			assert.Equal(t, tc.want, second[tc.measure])
		})
	}
}

func TestIsolateWhenTheRecordsCannotBeTagged(t *testing.T) {
	w := newWorld()
	w.refuse(failOn("CreateTags"))
	got := isolate(t, w, caseOne)
	for _, name := range []investigation.MeasureName{
		investigation.MeasureSecurityGroups, investigation.MeasureInstanceProfile, investigation.MeasureRoleSessions,
		investigation.MeasureTerminationProtection, investigation.MeasureElasticIPs, investigation.MeasureAutoScaling,
	} {
		m := got[name]
		assert.Equal(t, investigation.MeasureApplied, m.Status, "%s is applied without its record", name)
		assert.Contains(t, m.Reason, "the original settings could not be tagged on the instance", "%s says its record is missing", name)
		assert.Equal(t, 1, strings.Count(m.Reason, "could not be tagged"), "%s says it once: %q", name, m.Reason)
		assert.NotEmpty(t, m.Original, "%s still returns its originals", name)
	}
}

func TestIsolateCannotStart(t *testing.T) {
	tests := []struct {
		name    string
		target  Target
		prepare func(w *world)
		wantErr string
	}{
		{name: "no forensic ID", target: Target{InstanceID: testInstance}, wantErr: "isolation target: forensicId is empty"},
		{name: "no instance ID", target: Target{ForensicID: "case-1"}, wantErr: "isolation target of case case-1: instanceId is empty"},
		{
			name: "instance not found", target: Target{ForensicID: "case-1", InstanceID: "i-0missing"},
			wantErr: "describe instance i-0missing: operation error EC2: DescribeInstances, api error InvalidInstanceID.NotFound: The instance ID 'i-0missing' does not exist",
		},
		{
			name: "describe refused", target: caseOne, prepare: func(w *world) { w.refuse(failOn("DescribeInstances")) },
			wantErr: "describe instance " + testInstance + ": operation error fake: DescribeInstances, api error UnauthorizedOperation: not allowed to DescribeInstances",
		},
		{
			name: "instance terminated", target: caseOne,
			prepare: func(w *world) { w.ec2.instances[testInstance].State.Name = types.InstanceStateNameTerminated },
			wantErr: "instance " + testInstance + " is terminated",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			if tc.prepare != nil {
				tc.prepare(w)
			}
			got, err := w.isolator().Isolate(context.Background(), tc.target)
			require.EqualError(t, err, tc.wantErr)
			assert.Nil(t, got)
			assert.Zero(t, w.calls.count(mutatingOps...), "nothing changed")
		})
	}
}

func TestRecordTags(t *testing.T) {
	long := record{Case: "case-1", Status: investigation.MeasureApplied, Original: map[string]string{}}
	for i := range 12 {
		long.Original["eni-0"+strings.Repeat("a", 15)+string(rune('a'+i))] = "sg-0123456789abcdef0,sg-0123456789abcdef1"
	}
	long.Original["note"] = strings.Repeat("é", 200) // two bytes each
	tests := []struct {
		name string
		rec  record
	}{
		{name: "short", rec: record{Case: "case-1", Original: map[string]string{KeyDisableAPITermination: "false"}}},
		{name: "longer than one tag value", rec: long},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tags, err := recordTags(investigation.MeasureSecurityGroups, tc.rec)
			require.NoError(t, err)
			values := map[string]string{}
			for _, tag := range tags {
				v := aws.ToString(tag.Value)
				assert.LessOrEqual(t, len(v), maxTagValue, "tag %s", aws.ToString(tag.Key))
				assert.True(t, utf8.ValidString(v), "tag %s is valid UTF-8 on its own", aws.ToString(tag.Key))
				values[aws.ToString(tag.Key)] = v
			}
			// A stale continuation of a longer earlier record.
			values[TagOriginalPrefix+string(investigation.MeasureSecurityGroups)+"#"+string(rune('0'+len(tags)+1))] = `,"stale":true}`
			got := readRecords(values)
			assert.Equal(t, tc.rec, got[investigation.MeasureSecurityGroups])
		})
	}
	assert.Greater(t, len(mustTags(t, long)), 1, "the long record takes several tags")
}

func mustTags(t *testing.T, rec record) []types.Tag {
	tags, err := recordTags(investigation.MeasureSecurityGroups, rec)
	require.NoError(t, err)
	return tags
}

// TestIsolateAfterARestore isolates an instance that an operator restored
// after an earlier case (its records still on it): the records are stale,
// every measure is applied afresh, and the originals are the restored
// settings.
func TestIsolateAfterARestore(t *testing.T) {
	ctx := context.Background()
	w := newWorld()
	first := isolate(t, w, caseOne)

	// The operator's restore, from the first case's originals.
	for eni, groups := range first[investigation.MeasureSecurityGroups].Original {
		_, err := w.ec2.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{
			NetworkInterfaceId: aws.String(eni), Groups: strings.Split(groups, ","),
		})
		require.NoError(t, err)
	}
	back, err := w.ec2.ReplaceIamInstanceProfileAssociation(ctx, &ec2.ReplaceIamInstanceProfileAssociationInput{
		AssociationId:      aws.String(first[investigation.MeasureInstanceProfile].Applied[KeyAssociationID]),
		IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String(appProfile)},
	})
	require.NoError(t, err)
	w.ec2.termination[testInstance] = false
	restored := newWorld()
	w.ec2.addresses = restored.ec2.addresses
	w.asg.members = restored.asg.members
	delete(w.iam.policies, appRole)
	*w.calls = nil

	second := isolate(t, w, Target{ForensicID: "case-2", InstanceID: testInstance})
	for _, name := range investigation.EC2Measures {
		m := second[name]
		assert.Equal(t, investigation.MeasureApplied, m.Status, "%s", name)
		assert.NotContains(t, m.Reason, "already isolated", "%s is applied afresh", name)
	}
	deny := w.ec2.groupByName("casefile-isolation-deny-case-2")
	require.NotNil(t, deny, "the second case has its own no-rule group")
	assert.Equal(t, map[string][]string{primaryENI: {aws.ToString(deny.GroupId)}, secondENI: {aws.ToString(deny.GroupId)}}, w.ec2.interfaceGroups(testInstance))
	assert.Equal(t, first[investigation.MeasureSecurityGroups].Original, second[investigation.MeasureSecurityGroups].Original)
	assert.Equal(t, map[string]string{KeyInstanceProfileARN: profileARNBase + appProfile, KeyAssociationID: aws.ToString(back.IamInstanceProfileAssociation.AssociationId)},
		second[investigation.MeasureInstanceProfile].Original, "the restored association is the original")
	assert.Equal(t, first[investigation.MeasureRoleSessions].Original, second[investigation.MeasureRoleSessions].Original)
	assert.NotNil(t, w.iam.policies[appRole], "the role's sessions are revoked again")
	assert.Equal(t, first[investigation.MeasureTerminationProtection].Original, second[investigation.MeasureTerminationProtection].Original)
	assert.Equal(t, first[investigation.MeasureElasticIPs].Original, second[investigation.MeasureElasticIPs].Original)
	assert.Equal(t, first[investigation.MeasureAutoScaling].Original, second[investigation.MeasureAutoScaling].Original)
	assert.Equal(t, []string{"eipalloc-0other"}, w.ec2.associatedAddresses())
	assert.Empty(t, w.asg.members)
}

// steppingClock moves on by step at every reading, so that a test can
// tell when the isolation read it.
type steppingClock struct {
	next time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	now := c.next
	c.next = c.next.Add(c.step)
	return now
}

// TestRoleSessionsCutOffIsAfterTheProfileSwap: with a clock that moves
// between readings, the revocation's cut-off is after the moment the deny
// profile replaced the original, so that no credentials of the old role
// issued to the instance up to the swap stay valid.
func TestRoleSessionsCutOffIsAfterTheProfileSwap(t *testing.T) {
	tests := []struct {
		name string
		step time.Duration
	}{
		{name: "a minute between readings", step: time.Minute},
		// The swap and the revocation fall in the same second: a cut-off
		// truncated to that second would be before the swap.
		{name: "a tenth of a second between readings", step: 100 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			clock := &steppingClock{next: testNow.Add(400 * time.Millisecond), step: tc.step}
			var swappedAt time.Time
			w.refuse(func(op string, _ any) error {
				if op == "ReplaceIamInstanceProfileAssociation" {
					swappedAt = clock.Now()
				}
				return nil
			})
			iso := w.isolator()
			iso.Now = clock.Now

			measures, err := iso.Isolate(context.Background(), caseOne)
			require.NoError(t, err)
			got := byName(t, measures)

			require.False(t, swappedAt.IsZero(), "the profile was replaced")
			require.Equal(t, investigation.MeasureApplied, got[investigation.MeasureInstanceProfile].Status)
			sessions := got[investigation.MeasureRoleSessions]
			require.Equal(t, investigation.MeasureApplied, sessions.Status, sessions.Reason)
			cutOff, err := time.Parse(time.RFC3339, sessions.Applied[KeyRevokedBefore])
			require.NoError(t, err)
			assert.True(t, cutOff.After(swappedAt), "the cut-off %s is after the profile swap at %s", cutOff, swappedAt)
			put := w.iam.policies[appRole]
			require.NotNil(t, put)
			assert.Contains(t, aws.ToString(put.PolicyDocument), `"aws:TokenIssueTime":"`+cutOff.Format(time.RFC3339)+`"`,
				"the policy denies the sessions issued before the recorded cut-off")
		})
	}
}
