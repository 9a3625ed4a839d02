"""Messaging, email, SMS, chat, webhooks, support and on-call tools."""

from spec import R

HEADER = """# secrets-comms: messaging, email, SMS, chat, webhooks, customer support and
# on-call credentials (Twilio SK API keys, Microsoft Teams and Power Automate
# webhooks, Discord bots, Intercom, Zendesk, PagerDuty, Postmark, Resend,
# MailerSend, OneSignal, Webex…). Slack, Discord webhooks, Telegram,
# SendGrid, Mailgun and Mailchimp are in secrets.yml.
#
# Prefixed formats and webhook URLs block on their own; formats without a
# prefix block only where a key, variable, header or flag names the provider
# and a credential word, with entropy and stopwords against placeholders."""

SK_KW = ["sk%s" % c for c in "0123456789abcdef"]

RULES = [
    R("twilio-api-key", "Twilio API key", ["SK{hex:32}"], kw=SK_KW, where="the Twilio console (Account > API keys & tokens)", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(SK[0-9a-fA-F]{32})(?:[^A-Za-z0-9_-]|$)"),
    R("power-automate-webhook-url", "Power Automate / Teams Workflows webhook URL", [], noauto=True, kw=["logic.azure.com", "powerplatform.com"], what="webhook URL",
      where="Power Automate (regenerate the flow's trigger URL, or delete the flow)", ent=3.5,
      regex=r"https://[A-Za-z0-9.-]+\.(?:logic\.azure\.com|api\.powerplatform\.com)(?::443)?/[^\s\"'<>]{0,}?[?&]sig=([A-Za-z0-9_%-]{40,})",
      match=["TEAMS_WORKFLOW_URL=https://prod-27.westeurope.logic.azure.com:443/workflows/9e3c1f0a2b7d4e6f8a1c3b5d7e9f0a2c/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Kp3xR8mN2vQ7tL5wZ9cB4hJ6fD1gS0aYeUoKiXnT1E4",
             '  webhook: "https://default8f3b2c.1d.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/4b7e2a9c1d3f4e5a8b6c0d2e4f6a8b0c/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zq8wE2rT5yU1iO9pA3sD7fG4hJ6kL0zXcVbNm2QwEr5"'],
      nomatch=["https://prod-27.westeurope.logic.azure.com:443/workflows/<id>/triggers/manual/paths/invoke?api-version=2016-06-01&sig=<signature>",
               "https://prod-27.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
               "docs: https://learn.microsoft.com/en-us/azure/logic-apps/ logic.azure.com"]),
    R("teams-webhook-url-legacy", "Microsoft Teams webhook URL", [], noauto=True, kw=["outlook.office.com/webhook", "outlook.office365.com/webhook"], what="incoming webhook URL",
      where="Microsoft Teams (remove the connector or workflow from the channel)", ent=3.0,
      regex=r"https://outlook\.office(?:365)?\.com/webhook/[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/([a-f0-9]{32})/[a-f0-9-]{36}",
      match=["url: https://outlook.office.com/webhook/3f2b8c1e-4d5a-4b6c-8e7f-9a7b5c0d8e4f@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/8d1c4e7f2a9b3c6d5e0f7a9b8c4d5e6f/6b2e9d4c-1a3f-4e5b-8c7d-0f9e8d7c6b5a",
             "TEAMS_HOOK=https://outlook.office365.com/webhook/3f2b8c1e-4d5a-4b6c-8e7f-9a7b5c0d8e4f@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/5a9f3e1b7c2d4f6a8b0c1d3e5f7a9b2c/6b2e9d4c-1a3f-4e5b-8c7d-0f9e8d7c6b5a"],
      nomatch=["https://outlook.office.com/webhook/...", "https://outlook.office.com/webhook/00000000-0000-0000-0000-000000000000@00000000-0000-0000-0000-000000000000/IncomingWebhook/00000000000000000000000000000000/00000000-0000-0000-0000-000000000000"]),
    R("discord-bot-token", "Discord bot token", ["M{an:25}.{url:6}.{url:38}", "N{an:23}.{url:6}.{url:27}"], ctx=["discord", "bot"], where="the Discord developer portal (Bot > Reset token)", what="bot token"),
    R("discord-client-secret", "Discord client secret", ["{url:32}"], ctx=["discord client", "discord oauth"], where="the Discord developer portal (OAuth2 > Reset secret)", what="client secret"),
    R("slack-signing-secret", "Slack signing or client secret", ["{hex:32}"], ctx=["slack signing", "slack client", "slack app"], where="Slack (your app > Basic information > App credentials)", what="signing or client secret"),
    R("mattermost-token", "Mattermost access token", ["{ln:26}"], ctx=["mattermost"], where="Mattermost (Profile > Security > Personal access tokens)", what="access token"),
    R("rocketchat-token", "Rocket.Chat personal access token", ["{url:43}"], ctx=["rocketchat", "rocket chat"], where="Rocket.Chat (My account > Personal access tokens)", what="access token"),
    R("gitter-token", "Gitter token", ["{hex:40}"], ctx=["gitter"], where="Gitter (developer apps)", what="token"),
    R("zulip-api-key", "Zulip API key", ["{an:32}"], ctx=["zulip"], where="Zulip (Personal settings > Account & privacy > API key)", what="API key"),
    R("line-channel-secret", "LINE channel secret or access token", ["{hex:32}", "{b64:172}="], ctx=["line channel", "line bot", "line messaging", "line notify"], where="the LINE Developers console (Channel settings)", what="channel secret"),
    R("wechat-app-secret", "WeChat app secret", ["{hex:32}"], ctx=["wechat", "weixin"], where="the WeChat official account platform", what="app secret"),
    R("vonage-api-secret", "Vonage (Nexmo) API secret", ["{an:16}"], ctx=["vonage", "nexmo"], where="the Vonage API dashboard (Settings)", what="API secret"),
    R("messagebird-api-key", "MessageBird (Bird) API key", ["{an:25}"], ctx=["messagebird", "message bird"], where="the Bird dashboard (Developers > API access)", what="API key"),
    R("sinch-api-token", "Sinch API token", ["{hex:32}"], ctx=["sinch"], where="the Sinch dashboard (SMS > APIs)", what="API token"),
    R("plivo-auth-token", "Plivo auth token", ["{an:40}"], ctx=["plivo"], where="the Plivo console (Account > Auth token)", what="auth token"),
    R("telnyx-api-key", "Telnyx API key", ["KEY{HEX:32}_{an:22}"], ctx=["telnyx"], where="the Telnyx portal (Auth > API keys)", what="API key"),
    R("infobip-api-key", "Infobip API key", ["{hex:32}-{uuid}"], ctx=["infobip"], where="the Infobip portal (Developers > API keys)", what="API key"),
    R("clickatell-api-key", "Clickatell API key", ["{url:22}"], ctx=["clickatell"], where="the Clickatell portal (API integrations)", what="API key"),
    R("postmark-server-token", "Postmark server or account token", ["{uuid}"], ctx=["postmark"], where="Postmark (Servers > API tokens)", what="API token"),
    R("sparkpost-api-key", "SparkPost API key", ["{hex:40}"], ctx=["sparkpost"], where="SparkPost (Configuration > API keys)", what="API key"),
    R("mailjet-api-secret", "Mailjet API secret", ["{hex:32}"], ctx=["mailjet", "mj apikey"], where="Mailjet (Account settings > API key management)", what="API secret"),
    R("mandrill-api-key", "Mandrill API key", ["md-{url:22}", "{url:22}"], ctx=["mandrill"], where="Mandrill (Settings > SMTP & API info)", what="API key"),
    R("resend-api-key", "Resend API key", ["re_{an:8}_{an:24}"], where="the Resend dashboard (API keys)", what="API key"),
    R("mailersend-api-token", "MailerSend API token", ["mlsn.{hex:64}"], where="MailerSend (Integrations > API tokens)", what="API token"),
    R("mailtrap-api-token", "Mailtrap API token", ["{hex:32}"], ctx=["mailtrap"], where="Mailtrap (Settings > API tokens)", what="API token"),
    R("brevo-smtp-key", "Brevo SMTP key", ["xsmtpsib-{hex:64}-{an:16}"], where="Brevo (SMTP & API > SMTP keys)", what="SMTP key"),
    R("customerio-api-key", "Customer.io API key", ["{hex:32}"], ctx=["customerio", "customer io"], where="Customer.io (Account settings > API credentials)", what="API key"),
    R("klaviyo-private-key", "Klaviyo private API key", ["pk_{hex:34}"], ctx=["klaviyo"], where="Klaviyo (Settings > API keys)", what="private API key"),
    R("onesignal-api-key", "OneSignal REST API key", ["os_v2_app_{b32:113}", "os_v2_org_{b32:113}"], kw=["os_v2_"], where="the OneSignal dashboard (Settings > Keys & IDs)", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(os_v2_(?:app|org)_[a-z2-7]{100,})(?:[^A-Za-z0-9_-]|$)"),
    R("onesignal-api-key-legacy", "OneSignal REST API key", ["{an:48}"], ctx=["onesignal"], where="the OneSignal dashboard (Settings > Keys & IDs)", what="API key"),
    R("pusher-secret", "Pusher app secret", ["{hex:20}"], ctx=["pusher"], where="the Pusher dashboard (App keys)", what="app secret"),
    R("ably-api-key", "Ably API key", ["{an:6}.{an:6}:{url:43}"], ctx=["ably"], where="the Ably dashboard (API keys)", what="API key"),
    R("getstream-secret", "Stream (getstream.io) API secret", ["{ln:64}"], ctx=["getstream", "stream chat", "stream api"], where="the Stream dashboard (App > Revoke secret)", what="API secret"),
    R("sendbird-token", "Sendbird API token", ["{hex:40}"], ctx=["sendbird"], where="the Sendbird dashboard (Settings > General > API tokens)", what="API token"),
    R("intercom-access-token", "Intercom access token", ["dG9rOj{b64:54}="], kw=["dg9roj"], where="the Intercom developer hub (Authentication)", what="access token"),
    R("zendesk-api-token", "Zendesk API token", ["{an:40}"], ctx=["zendesk"], where="Zendesk Admin Center (Apps and integrations > APIs)", what="API token"),
    R("freshdesk-api-key", "Freshdesk API key", ["{an:20}"], ctx=["freshdesk", "freshservice"], where="Freshdesk (Profile settings > API key)", what="API key"),
    R("helpscout-api-key", "Help Scout API key", ["{hex:32}"], ctx=["helpscout", "help scout"], where="Help Scout (Your profile > Authentication)", what="API key"),
    R("twitch-client-secret", "Twitch client secret or token", ["{ln:30}"], ctx=["twitch"], where="the Twitch developer console (Applications)", what="client secret"),
    R("pagerduty-api-key", "PagerDuty API key", ["{url:20}", "u+{urlp:18}", "y_{url:18}"], ctx=["pagerduty", "pager duty"], where="PagerDuty (Integrations > API access keys)", what="API key"),
    R("opsgenie-api-key", "Opsgenie API key", ["{uuid}"], ctx=["opsgenie", "genie"], where="Opsgenie (Settings > API key management)", what="API key"),
    R("statuspage-api-key", "Statuspage API key", ["{uuid}"], ctx=["statuspage"], where="Statuspage (API info)", what="API key"),
    R("victorops-api-key", "Splunk On-Call (VictorOps) API key", ["{uuid}"], ctx=["victorops"], where="Splunk On-Call (Integrations > API)", what="API key"),
    R("gmail-app-password", "Google app password", ["{l:4} {l:4} {l:4} {l:4}", "{l:16}"], ctx=["gmail", "google app", "smtp"], ent=3.0, where="your Google account (Security > App passwords)", what="app password"),
    R("webex-bot-token", "Webex bot token", ["{an:64}_{AN:4}_{uuid}"], ctx=["webex", "spark"], where="the Webex developer portal (My apps > Regenerate access token)", what="access token"),
    R("zoom-client-secret", "Zoom client secret", ["{an:32}"], ctx=["zoom"], where="the Zoom App Marketplace (your app > App credentials)", what="client secret"),
    R("pushover-token", "Pushover application token", ["{ln:30}"], ctx=["pushover"], where="Pushover (your application > Regenerate)", what="API token"),
    R("pushbullet-token", "Pushbullet access token", ["o.{an:32}"], ctx=["pushbullet"], where="Pushbullet (Settings > Account)", what="access token"),
    R("ntfy-access-token", "ntfy access token", ["tk_{ln:29}"], ctx=["ntfy"], where="ntfy (Account > Access tokens)", what="access token"),
]
