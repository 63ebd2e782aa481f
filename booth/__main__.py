import sys

from booth.cli import main

sys.exit(main())
