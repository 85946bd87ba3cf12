// The vendor's storefront login, as composable-frontend's examples/subscriptions does it (src/app/login/
// actions.ts), through its shopper SDK, unchanged (@epcc-sdk/sdks-shopper, pinned in package.json): log an account
// member in with a password (a shopper's implicit token), associate the shopper's cart with the account the login
// names as administrator (client_credentials, no account token), then list that account's carts with the login's
// token. Prints one JSON document with what each step answered; tests/test_official_sdk.py judges it.
import {
  client,
  createAccountCartAssociation,
  createAnAccessToken,
  getCarts,
  postV2AccountMembersTokens,
} from '@epcc-sdk/sdks-shopper'

const env = process.env
client.setConfig({ baseUrl: env.EP_BASE_URL })

// The storefront's middleware gives every request the shopper's implicit token (its cookie); here, in memory.
const implicit = await createAnAccessToken({ body: { grant_type: 'implicit', client_id: env.EP_CLIENT_ID } })
if (implicit.error) throw new Error(`implicit token: ${JSON.stringify(implicit.error)}`)
client.interceptors.request.use((request) => {
  if (!request.headers.get('Authorization')) request.headers.set('Authorization', `Bearer ${implicit.data.access_token}`)
  return request
})

const steps = {}
function passwordLogin(password) {
  return postV2AccountMembersTokens({
    body: {
      data: {
        type: 'account_management_authentication_token',
        authentication_mechanism: 'password',
        password_profile_id: env.EP_PASSWORD_PROFILE_ID,
        username: env.EP_ACCOUNT_MEMBER_USERNAME,
        password,
      },
    },
  })
}
const login = await passwordLogin(env.EP_ACCOUNT_MEMBER_PASSWORD)
steps.login_status = login.response.status
steps.login_accounts = (login.data?.data ?? []).map((item) => item.account_id)
steps.account_member_id = login.data?.meta?.account_member_id

// The storefront answers "Invalid email or password" on any error of the login.
steps.wrong_password_status = (await passwordLogin('not-the-password')).response.status

const administrator = await createAnAccessToken({
  body: { grant_type: 'client_credentials', client_id: env.EP_CLIENT_ID, client_secret: env.EP_CLIENT_SECRET },
})
const first = login.data.data[0]
const associated = await createAccountCartAssociation({
  headers: { Authorization: `Bearer ${administrator.data.access_token}` },
  path: { cartID: env.EP_CART_ID },
  body: { data: [{ type: 'account', id: first.account_id }] },
})
steps.associate_status = associated.response.status
steps.associated = associated.data?.data

const listed = await getCarts({ headers: { 'EP-Account-Management-Authentication-Token': first.token } })
steps.list_status = listed.response.status
steps.listed = (listed.data?.data ?? []).map((cart) => cart.id)
process.stdout.write(JSON.stringify(steps) + '\n')
