// The command line with the test-only stage kinds (debug-sleep, debug-shards) added: what the
// crash-safety and sharding tests drive. Not installed, not used by any Makefile target.
import DebugKinds
import PipelineEngine
import Stages
import TlspipeCLI

var registry = StageKinds.registry()
for kind in DebugKinds.all { registry.register(kind) }
TlspipeMain.main(registry: registry)
