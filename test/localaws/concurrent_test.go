package localaws

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
)

func TestClaimNotifications(t *testing.T) {
	disk := &Outcome{ForensicID: "case-1", ForensicType: "DISK", ExecutionName: "case-1-disk"}
	memory := &Outcome{ForensicID: "case-1", ForensicType: "MEMORY", ExecutionName: "case-1-memory"}
	direct := &Outcome{ForensicID: "case-1", ForensicType: "DISK", ExecutionName: "direct-1"}
	note := func(body string) fixture.Notification { return fixture.Notification{Message: body, JSON: []byte(body)} }
	notes := []fixture.Notification{
		note(`{"forensicId":"case-1","forensicType":"MEMORY","executionName":"case-1-memory"}`),
		note(`{"forensicId":"case-1","forensicType":"DISK","executionName":"case-1-disk"}`),
		note(`{"forensicId":"case-2","forensicType":"DISK","executionName":"case-2-disk"}`),
		{Message: "not JSON"},
	}

	unclaimed := claimNotifications([]*Outcome{disk, memory, direct}, notes)

	assert.Equal(t, []fixture.Notification{notes[1]}, disk.Notifications, "the DISK execution's")
	assert.Equal(t, []fixture.Notification{notes[0]}, memory.Notifications, "the MEMORY execution's")
	assert.Empty(t, direct.Notifications, "the other execution of the same case and type")
	assert.Equal(t, []fixture.Notification{notes[2], notes[3]}, unclaimed, "notifications of no execution")
}

func TestCommandsOn(t *testing.T) {
	on := func(instance string) forensichost.Invocation {
		return forensichost.Invocation{Command: forensichost.Command{CommandID: "c-" + instance, InstanceID: instance}}
	}
	all := []forensichost.Invocation{on("i-1"), on("i-2"), on("i-3")}
	assert.Equal(t, []forensichost.Invocation{on("i-1"), on("i-3")}, commandsOn(all, []string{"i-3", "i-1"}))
	assert.Empty(t, commandsOn(all, nil), "no instance, no command")
}
