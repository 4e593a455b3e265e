import Stages
import TlspipeCLI

TlspipeMain.main(registry: StageKinds.registry())
