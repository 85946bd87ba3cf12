"""`python -m ep_cart_contract`: the same as the `ep-cart-contract` command."""

import sys

from ep_cart_contract.cli import main

sys.exit(main())
