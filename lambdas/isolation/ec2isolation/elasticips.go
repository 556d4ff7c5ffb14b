package ec2isolation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Suffixes of the Elastic IP measure's Original keys, after the
// allocation ID and a dot ("eipalloc-0abc.publicIp").
const (
	KeySuffixPublicIP         = ".publicIp"
	KeySuffixAssociationID    = ".associationId"
	KeySuffixNetworkInterface = ".networkInterfaceId"
	KeySuffixPrivateIP        = ".privateIp"
	// AppliedDisassociated is the Applied value of each allocation.
	AppliedDisassociated = "disassociated"
)

// elasticIPs disassociates every Elastic IP of the instance's network
// interfaces; each address is tried even when another one fails.
func (r *run) elasticIPs(ctx context.Context) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureElasticIPs, Target: r.inst.id}
	if len(r.inst.interfaces) == 0 {
		m.Status, m.Reason = investigation.MeasureSkipped, "the instance has no network interface"
		return m
	}
	out, err := r.iso.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{
		Filters: []types.Filter{{Name: aws.String("network-interface-id"), Values: r.inst.interfaceIDs()}},
	})
	if err != nil {
		return failed(m, fmt.Errorf("describe the Elastic IPs of %s: %w", r.inst.id, err))
	}
	var associated []types.Address
	for _, a := range out.Addresses {
		if a.AssociationId != nil {
			associated = append(associated, a)
		}
	}
	if rec, earlier := r.records[m.Name]; earlier && len(associated) == 0 {
		m.Applied = map[string]string{}
		for key := range rec.Original {
			if alloc, ok := strings.CutSuffix(key, KeySuffixAssociationID); ok {
				m.Applied[alloc] = AppliedDisassociated
			}
		}
	}
	if r.already(ctx, &m, len(associated) == 0) {
		return m
	}
	if len(associated) == 0 {
		m.Status, m.Reason = investigation.MeasureSkipped, "no Elastic IP is associated with the instance"
		return m
	}
	m.Original = map[string]string{}
	m.Applied = map[string]string{}
	for _, a := range associated {
		key := allocationKey(a)
		m.Original[key+KeySuffixPublicIP] = aws.ToString(a.PublicIp)
		m.Original[key+KeySuffixAssociationID] = aws.ToString(a.AssociationId)
		m.Original[key+KeySuffixNetworkInterface] = aws.ToString(a.NetworkInterfaceId)
		m.Original[key+KeySuffixPrivateIP] = aws.ToString(a.PrivateIpAddress)
	}
	r.before(ctx, &m)
	if rec, ok := r.records[m.Name]; ok && rec.Status == "" {
		// What a run that failed part-way disassociated.
		maps.Copy(m.Applied, rec.Applied)
	}
	var refused []string
	for _, a := range associated {
		_, err := r.iso.EC2.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: a.AssociationId})
		if err != nil {
			refused = append(refused, errorMessage(fmt.Errorf("disassociate %s (%s): %w", aws.ToString(a.PublicIp), allocationKey(a), err)))
			continue
		}
		m.Applied[allocationKey(a)] = AppliedDisassociated
	}
	if len(refused) > 0 {
		// Record what was done, so a retry keeps the originals of the
		// addresses already disassociated.
		r.write(ctx, &m, record{Case: r.target.ForensicID, Original: m.Original, Applied: m.Applied})
		return failed(m, errors.New(strings.Join(refused, "; ")))
	}
	m.Status = investigation.MeasureApplied
	r.after(ctx, &m)
	return m
}

// allocationKey names an address in Original: its allocation ID, or its
// public IP when it has none.
func allocationKey(a types.Address) string {
	if a.AllocationId != nil {
		return aws.ToString(a.AllocationId)
	}
	return aws.ToString(a.PublicIp)
}
