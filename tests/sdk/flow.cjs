// The storefront's flow through the official SDK, unchanged (@elasticpath/js-sdk, pinned in package.json):
// associate the account with a cart, read the cart, remove the association, read it again.
// Prints one JSON document with what each step answered; tests/test_official_sdk.py judges it.
const { gateway } = require('@elasticpath/js-sdk')

const { EP_BASE_URL, EP_CLIENT_ID, EP_ACCOUNT_ID, EP_ACCOUNT_TOKEN, EP_CART_ID } = process.env
const url = new URL(EP_BASE_URL)

// Credentials in memory: the SDK's default storage writes a ./localStorage folder in Node.
const memory = new Map()
const storage = {
  set: (key, value) => memory.set(key, value),
  get: (key) => (memory.has(key) ? memory.get(key) : null),
  delete: (key) => memory.delete(key),
}

// A shopper: an implicit token (no client secret), as a storefront in a browser has.
const shopper = gateway({ client_id: EP_CLIENT_ID, host: url.host, protocol: url.protocol.replace(':', ''), storage })

function accounts(cart) {
  const related = cart.data.relationships && cart.data.relationships.accounts
  return related && related.data ? related.data.map((account) => account.id) : []
}

async function main() {
  const steps = {}
  const added = await shopper.Cart(EP_CART_ID).AddAccountAssociation(EP_ACCOUNT_ID, EP_ACCOUNT_TOKEN)
  steps.added = added.data
  steps.after_add = accounts(await shopper.Cart(EP_CART_ID).Get())
  const removed = await shopper.Cart(EP_CART_ID).RemoveAccountAssociation(EP_ACCOUNT_ID, EP_ACCOUNT_TOKEN)
  steps.removed = removed
  steps.after_remove = accounts(await shopper.Cart(EP_CART_ID).Get())
  process.stdout.write(JSON.stringify(steps) + '\n')
}

main().catch((error) => {
  process.stderr.write(`SDK flow failed: ${JSON.stringify(error)} ${error && error.stack ? error.stack : ''}\n`)
  process.exit(1)
})
