from . import test_run_import
from . import test_apply_revert
from . import test_access
from . import test_safeguards
from . import test_rpc
from . import test_ui
from . import test_ui_authorization
from . import test_review
