"""Payments, commerce, shipping and trading APIs."""

from spec import R

HEADER = """# secrets-payments: payment, commerce, shipping and trading credentials
# (PayPal, Plaid, Flutterwave, Razorpay, Mollie, GoCardless, Mercado Pago,
# Xendit, EasyPost, Shippo, Duffel, exchanges…). Stripe, Square, Braintree
# and Adyen are in secrets.yml.
#
# Live keys block; test and sandbox keys warn (a leaked test key still gives
# access to the account's test data). Formats without a prefix block only
# where a key, variable, header or flag names the provider and a credential
# word, with entropy and stopwords against placeholders."""

RULES = [
    R("stripe-test-secret", "Stripe test-mode secret key", ["sk_test_{an:24,99}", "rk_test_{an:24,99}"], sev="warn", where="the Stripe dashboard (Developers > API keys, test mode)", what="test-mode secret key",
      regex=r"(?:^|[^A-Za-z0-9])((?:sk|rk)_test_[0-9A-Za-z]{24,})(?:[^A-Za-z0-9_-]|$)"),
    R("paypal-client-secret", "PayPal client secret", ["E{url:79}", "{url:80}"], ctx=["paypal"], where="the PayPal developer dashboard (Apps & Credentials)", what="client secret"),
    R("paypal-access-token", "PayPal OAuth access token", ["A21AA{url:92}"], where="PayPal (the token expires; rotate the client secret that issued it)", what="access token",
      regex=r"(?:^|[^A-Za-z0-9])(A21AA[A-Za-z0-9_-]{50,})(?:[^A-Za-z0-9_-]|$)"),
    R("braintree-private-key", "Braintree private key", ["{hex:32}"], ctx=["braintree"], where="the Braintree control panel (API keys)", what="private key"),
    R("plaid-secret", "Plaid secret", ["{hex:30}"], ctx=["plaid"], where="the Plaid dashboard (Team settings > Keys)", what="secret"),
    R("plaid-access-token", "Plaid access token", ["access-production-{uuid}", "access-development-{uuid}"], kw=["access-production-", "access-development-"], where="Plaid (/item/remove, or rotate with /item/access_token/invalidate)", what="access token"),
    R("flutterwave-secret-key", "Flutterwave secret key", ["FLWSECK-{hex:32}-X"], where="the Flutterwave dashboard (Settings > API keys)", what="secret key"),
    R("flutterwave-test-key", "Flutterwave test secret key", ["FLWSECK_TEST-{hex:32}-X"], sev="warn", where="the Flutterwave dashboard (Settings > API keys)", what="test secret key"),
    R("razorpay-key-secret", "Razorpay key secret", ["{an:24}"], ctx=["razorpay", "rzp"], where="the Razorpay dashboard (Account & settings > API keys)", what="key secret"),
    R("mollie-api-key", "Mollie API key", ["live_{an:30}"], ctx=["mollie"], where="the Mollie dashboard (Developers > API keys)", what="live API key"),
    R("gocardless-token", "GoCardless access token", ["live_{url:40}"], ctx=["gocardless"], where="the GoCardless dashboard (Developers > Access tokens)", what="access token"),
    R("coinbase-api-secret", "Coinbase API secret", ["{an:32}"], ctx=["coinbase"], where="Coinbase (Settings > API)", what="API secret"),
    R("checkout-com-secret-key", "Checkout.com secret key", ["sk_{b32:27}", "sk_{uuid}"], ctx=["checkout", "cko"], where="the Checkout.com dashboard (Developers > Keys)", what="secret key"),
    R("wise-api-token", "Wise API token", ["{uuid}"], ctx=["transferwise", "wise api"], where="Wise (Settings > API tokens)", what="API token"),
    R("revolut-api-key", "Revolut Business API key", ["sk_{url:48}"], ctx=["revolut"], where="Revolut Business (Settings > APIs)", what="API key"),
    # pdl_live_apikey_ / pdl_sdbx_apikey_, a 26-character ULID, '_' and 26
    # more: 69 characters (developer.paddle.com, Manage API keys, Format).
    # The documentation's own example key is allowed.
    R("paddle-api-key", "Paddle API key", ["pdl_live_apikey_{ln:26}_{an:26}", "pdl_sdbx_apikey_{ln:26}_{an:26}"], kw=["pdl_live_apikey_", "pdl_sdbx_apikey_"],
      where="Paddle (Developer tools > Authentication)", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(pdl_(?:live|sdbx)_apikey_[a-z0-9]{26}_[A-Za-z0-9_]{26})(?:[^A-Za-z0-9_-]|$)",
      allow=["01gtgztp8f4kek3yd4g1wrksa3_q6TGTJyvoIz7LDtXT65bX7_AQO"],
      nomatch=["Authorization: Bearer pdl_live_apikey_01gtgztp8f4kek3yd4g1wrksa3_q6TGTJyvoIz7LDtXT65bX7_AQO"]),
    R("chargebee-api-key", "Chargebee API key", ["live_{an:32}"], ctx=["chargebee"], where="Chargebee (Settings > API keys)", what="API key"),
    R("recurly-api-key", "Recurly API key", ["{hex:32}"], ctx=["recurly"], where="Recurly (Integrations > API credentials)", what="API key"),
    R("xendit-secret-key", "Xendit secret key", ["xnd_production_{an:60}"], where="the Xendit dashboard (Settings > API keys)", what="secret key"),
    R("midtrans-server-key", "Midtrans server key", ["Mid-server-{url:24}"], where="the Midtrans dashboard (Settings > Access keys)", what="server key"),
    R("mercadopago-access-token", "Mercado Pago access token", ["APP_USR-{d:16}-{d:6}-{hex:32}-{d:9}"], where="Mercado Pago (Your integrations > Credentials)", what="access token"),
    R("lob-api-key", "Lob live API key", ["live_{hex:35}"], ctx=["lob"], where="the Lob dashboard (Settings > API keys)", what="live API key"),
    R("easypost-api-key", "EasyPost production API key", ["EZAK{an:54}"], where="EasyPost (Account settings > API keys)", what="API key"),
    R("shippo-api-token", "Shippo live API token", ["shippo_live_{hex:40}"], where="Shippo (Settings > API)", what="API token"),
    R("duffel-api-token", "Duffel live access token", ["duffel_live_{url:43}"], where="the Duffel dashboard (Developers > Access tokens)", what="access token"),
    R("woocommerce-api-key", "WooCommerce REST API key", ["cs_{hex:40}", "ck_{hex:40}"], where="WooCommerce (Settings > Advanced > REST API)", what="consumer key or secret"),
    R("binance-api-secret", "Binance API secret", ["{an:64}"], ctx=["binance"], where="Binance (API management)", what="API secret"),
    R("kraken-private-key", "Kraken API private key", ["{b64:86}=="], ctx=["kraken"], where="Kraken (Settings > API)", what="private key"),
    R("kucoin-api-secret", "KuCoin API secret", ["{uuid}"], ctx=["kucoin"], where="KuCoin (API management)", what="API secret"),
    R("bitfinex-api-secret", "Bitfinex API secret", ["{an:43}"], ctx=["bitfinex"], where="Bitfinex (Account > API keys)", what="API secret"),
    R("bybit-api-secret", "Bybit API secret", ["{an:36}"], ctx=["bybit"], where="Bybit (Account > API)", what="API secret"),
    R("alpaca-api-secret", "Alpaca API secret", ["{an:40}"], ctx=["alpaca", "apca"], where="the Alpaca dashboard (API keys)", what="API secret"),
    R("iex-cloud-secret", "IEX Cloud secret token", ["sk_{hex:32}"], ctx=["iex", "iexcloud"], where="the IEX Cloud console (API tokens)", what="secret token"),
    R("dwolla-secret", "Dwolla application secret", ["{an:50}"], ctx=["dwolla"], where="the Dwolla dashboard (Applications)", what="application secret"),
    R("authorize-net-transaction-key", "Authorize.net transaction key", ["{an:16}"], ctx=["authorize net", "authnet", "anet transaction"], where="the Authorize.net merchant interface (Account > API credentials)", what="transaction key"),
    R("bigcommerce-token", "BigCommerce API token", ["{ln:31}"], ctx=["bigcommerce"], where="the BigCommerce control panel (Settings > API accounts)", what="API token"),
]
