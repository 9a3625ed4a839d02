"""Developer tools: source hosting, CI/CD, registries, observability, identity."""

import fmt
from spec import R

_r = fmt.rng_for("devtools-extra")

HEADER = """# secrets-devtools: source hosting, CI/CD, package registries, observability,
# secrets managers and identity providers (GitLab session cookies, Bitbucket
# Data Center, Atlassian Data Center and legacy tokens, SonarQube,
# Sourcegraph, New Relic NRJS/NRIQ/NRMA, older Grafana keys, Vault s. tokens,
# 1Password secret keys, Docker config.json auth, Okta, Auth0, Harness…).
#
# Prefixed formats block on their own; formats without a prefix block only
# where a key, variable, header or flag names the provider and a credential
# word, with entropy and stopwords against placeholders."""


def _docker_auth():
    import base64
    user = "deploy-bot:" + fmt.make("{an:24}", _r)
    return base64.b64encode(user.encode()).decode()


RULES = [
    R("gitlab-session-cookie", "GitLab session cookie", ["_gitlab_session={hex:32}"], where="GitLab (sign out every session: User settings > Active sessions)", what="session cookie"),
    R("bitbucket-data-center-token", "Bitbucket Data Center HTTP access token", ["BBDC-{b64:44}"], where="Bitbucket Data Center (Manage account > HTTP access tokens)", what="access token"),
    R("bitbucket-oauth-secret", "Bitbucket OAuth consumer secret", ["{an:32}"], ctx=["bitbucket"], where="Bitbucket (Workspace settings > OAuth consumers)", what="OAuth secret"),
    R("atlassian-data-center-pat", "Atlassian Data Center personal access token", ["M{b64:43}", "N{b64:43}", "O{b64:43}"], ctx=["atlassian", "jira", "confluence", "bamboo"],
      where="Jira/Confluence Data Center (Profile > Personal access tokens)", what="personal access token"),
    R("atlassian-api-token-legacy", "Atlassian API token", ["{an:24}"], ctx=["atlassian", "jira", "confluence"], where="https://id.atlassian.com/manage-profile/security/api-tokens", what="API token"),
    R("sourcegraph-token", "Sourcegraph access token", ["sgp_{hex:16}_{hex:40}", "sgp_local_{hex:40}", "sgp_{hex:40}"], where="Sourcegraph (Settings > Access tokens)", what="access token",
      regex=r"(?:^|[^A-Za-z0-9])(sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40})(?:[^A-Za-z0-9_-]|$)"),
    R("snyk-token", "Snyk API token", ["{uuid}"], ctx=["snyk"], where="Snyk (Account settings > Auth token)", what="API token"),
    R("sonarqube-token", "SonarQube token", ["squ_{hex:40}", "sqp_{hex:40}", "sqa_{hex:40}"], where="SonarQube (My Account > Security)", what="token"),
    R("sonarqube-token-legacy", "SonarQube token", ["{hex:40}"], ctx=["sonar", "sonarqube", "sonarcloud"], where="SonarQube (My Account > Security)", what="token"),
    R("codecov-token", "Codecov upload token", ["{uuid}"], ctx=["codecov"], where="Codecov (repository settings > General)", what="upload token"),
    R("coveralls-token", "Coveralls repo token", ["{an:32,37}"], ctx=["coveralls"], where="Coveralls (repository settings)", what="repo token"),
    R("new-relic-browser-key", "New Relic browser key", ["NRJS-{hex:19}"], where="New Relic (API keys)", what="browser key"),
    R("new-relic-insights-query-key", "New Relic Insights query key", ["NRIQ-{url:32}"], where="New Relic (API keys)", what="query key"),
    # The application token (docs.newrelic.com, "View your application token":
    # 40 hexadecimal digits, one per data center) is written AA<40 hex>-NRMA
    # (US) or eu01xx<36 hex>-NRMA (EU); NRMA is a suffix, not a prefix.
    R("new-relic-mobile-token", "New Relic mobile app token", ["AA{hex:40}-NRMA", "eu01xx{hex:36}-NRMA"], kw=["-nrma"], where="New Relic (Mobile app settings)", what="application token",
      regex=r"(?:^|[^A-Za-z0-9])(AA[a-f0-9]{40}-NRMA|eu01xx[a-f0-9]{36}-NRMA)(?:[^A-Za-z0-9_-]|$)"),
    R("new-relic-admin-key", "New Relic admin or REST API key", ["NRAA-{hex:27}", "NRRA-{hex:42}"], where="New Relic (API keys)", what="API key"),
    R("grafana-api-key-legacy", "Grafana API key", ["eyJrIjoi{an:60,90}"], pad=True, where="Grafana (Administration > API keys / Service accounts)", what="API key"),
    R("dynatrace-platform-token", "Dynatrace platform token or OAuth secret", ["dt0s01.{AN:24}.{AN:64}", "dt0s02.{AN:24}.{AN:64}", "dt0s16.{AN:24}.{AN:64}"], kw=["dt0s"],
      regex=r"(?:^|[^A-Za-z0-9])(dt0s\d\d\.[A-Z0-9]{24}\.[A-Z0-9]{64})(?:[^A-Za-z0-9_-]|$)", where="Dynatrace (Account management > Identity & access)", what="token"),
    R("sumo-logic-access-key", "Sumo Logic access key", ["{an:64}", "su{an:12}"], ctx=["sumo", "sumologic", "sumo logic"], where="Sumo Logic (Administration > Security > Access keys)", what="access key"),
    R("harness-token", "Harness access token", ["pat.{url:22}.{hex:24}.{an:20}", "sat.{url:22}.{hex:24}.{an:20}"], kw=["pat.", "sat."], where="Harness (My profile > API keys / Service accounts)", what="access token",
      regex=r"(?:^|[^A-Za-z0-9])((?:pat|sat)\.[A-Za-z0-9_-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20})(?:[^A-Za-z0-9_-]|$)"),
    R("vault-token-legacy", "HashiCorp Vault token", ["s.{an:24}", "b.{an:24}"], ctx=["vault"], where="Vault (vault token revoke)", what="token"),
    R("1password-secret-key", "1Password account secret key", ["A3-{AN:6}-{AN:6}-{AN:5}-{AN:5}-{AN:5}-{AN:5}", "A3-{AN:6}-{AN:11}-{AN:5}-{AN:5}-{AN:5}"], kw=["a3-"],
      where="1Password (regenerate the Secret Key in the account's settings)", what="Secret Key",
      regex=r"(?:^|[^A-Za-z0-9])(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{6}-[A-Z0-9]{5}|[A-Z0-9]{11})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})(?:[^A-Za-z0-9_-]|$)"),
    R("docker-config-auth", "Docker registry credential", [], noauto=True, kw=['"auth"', '"identitytoken"', 'auth\\', 'identitytoken\\'], what="credential (config.json auth)",
      where="the registry (change the password or revoke the token), then run docker logout",
      stop=["dxnlcm5hbwu6", "dxnlcjpwyxnz"], regex=r'\\{0,3}"(?:auth|identitytoken)\\{0,3}"\s*:\s*\\{0,3}"([A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9_.-]{32,})\\{0,3}"', ent=3.5,
      match=['      "auth": "%s"' % _docker_auth(), '{"auths":{"registry.example.com":{"auth":"%s"}}}' % _docker_auth(),
             '{"auths": {"ghcr.io": {"identitytoken": "%s"}}}' % fmt.make("{an:48}", _r),
             # Escaped JSON: DOCKER_AUTH_CONFIG in a GitLab runner's config.toml,
             # a config.json inside a JSON or YAML string.
             'environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.acme.io\\":{\\"auth\\":\\"%s\\"}}}"]' % _docker_auth(),
             'environment = ["DOCKER_AUTH_CONFIG={\\\\\\"auths\\\\\\":{\\\\\\"registry.acme.io\\\\\\":{\\\\\\"auth\\\\\\":\\\\\\"%s\\\\\\"}}}"]' % _docker_auth()],
      nomatch=['  "auth": "oauth2",', '      "auth": ""', '      "auth": "${DOCKER_AUTH}"', '      "auth": "dXNlcm5hbWU6cGFzc3dvcmQ="', '      "auth": "xxxxxxxxxxxxxxxxxxxxxxxx"']),
    R("npmrc-auth-token", "npm registry token (.npmrc)", [], noauto=True, kw=["_authtoken", "_auth=", "_password="], what="credential",
      where="the registry (npm token revoke, or the registry's token page)",
      # The key starts the line or follows the registry's ':' (or a quote or
      # a space: npm config set …): reset_password= in a locale file,
      # smtp_auth=, session_auth= are no npm keys (found by noise.sh).
      regex=r"(?:^|[\s:\"'])(?:_authToken|_auth|_password)\s*=\s*[\"']?([A-Za-z0-9._~+/=-]{20,})",
      match=["//registry.npmjs.org/:_authToken=%s" % fmt.make("{uuid}", _r), "//npm.pkg.github.com/:_authToken=%s" % fmt.make("{an:40}", _r),
             "//nexus.corp.example.net/repository/npm/:_auth=%s" % _docker_auth(),
             "_auth=ZGVwbG95LWJvdDplYmV2NW5uRXlxaVdPSEFWUUlEM05DdVc=", "npm config set _authToken=npm_Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9"],
      nomatch=["//registry.npmjs.org/:_authToken=${NPM_TOKEN}", "//registry.npmjs.org/:_authToken=00000000-0000-0000-0000-000000000000", "_authToken=<your token here>",
               "reset_password=Kontowiederherstellung", "auths.smtp_auth=SMTP-Authentifizierungstyp",
               "            s3_disable_express_session_auth=s3_disable_express_session_auth,"]),
    R("git-credential-url", "Git hosting credential in a URL", [], noauto=True, kw=["github.com", "gitlab.com", "bitbucket.org", "dev.azure.com", "visualstudio.com"], what="credential in a remote URL",
      where="the hosting service (revoke the token or change the password)", ent=3.3,
      regex=r"https?://[^\s:@/'\"`]{1,}:([^\s:@/'\"`${}<>%]{12,})@(?:[\w-]+\.)?(?:github\.com|gitlab\.com|bitbucket\.org|dev\.azure\.com|visualstudio\.com)",
      match=["git clone https://ci-bot:%s@github.com/acme/infra.git" % fmt.make("{an:32}", _r), 'url = "https://x-token-auth:%s@bitbucket.org/acme/app.git"' % fmt.make("{url:36}", _r),
             "remote: https://oauth2:%s@gitlab.com/acme/app.git" % fmt.make("{url:26}", _r)],
      nomatch=["git clone https://user:password@github.com/acme/app.git", "https://${GH_USER}:${GH_TOKEN}@github.com/acme/app.git", "https://<user>:<token>@gitlab.com/x.git"]),
    R("gitea-token", "Gitea/Forgejo access token", ["{hex:40}"], ctx=["gitea", "forgejo", "codeberg"], where="Gitea (Settings > Applications)", what="access token"),
    R("jenkins-api-token", "Jenkins API token", ["11{hex:32}"], ctx=["jenkins"], where="Jenkins (User > Security > API token)", what="API token"),
    R("teamcity-token", "TeamCity access token", ["eyJ0eXAiOiAiVENWMiJ9.{url:36}.{url:48}"], kw=["eyj0exaioiaivenwmij9"], where="TeamCity (Profile > Access tokens)", what="access token",
      regex=r"(?:^|[^A-Za-z0-9])(eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_-]{30,}\.[A-Za-z0-9_-]{30,})(?:[^A-Za-z0-9_-]|$)"),
    R("octopus-deploy-api-key", "Octopus Deploy API key", ["API-{AN:26,32}"], ctx=["octopus"], regex=None, where="Octopus Deploy (Profile > My API keys)", what="API key", ent=3.3),
    R("prefect-api-key", "Prefect API key", ["pnu_{an:36}", "pnb_{an:36}"], where="Prefect Cloud (Profile > API keys)", what="API key"),
    R("readme-api-key", "ReadMe API key", ["rdme_{ln:70}"], where="ReadMe (Project settings > API keys)", what="API key"),
    R("clojars-token", "Clojars deploy token", ["CLOJARS_{ln:60}"], where="Clojars (Deploy tokens)", what="deploy token"),
    # Keys are 32 mixed-case letters and digits; 32 lower-case hex digits are
    # a content hash (video_box.ico-7a38…0c.png, a built asset's name).
    R("infracost-api-key", "Infracost API key", ["ico-{an:32}"], where="Infracost Cloud (Org settings)", what="API key",
      allow=["^ico-[0-9a-f]{32}"], nomatch=['<img src="/assets/media_box/video_box.ico-7a388b69018576d24b59331fd60aab0c.png">']),
    R("tailscale-key", "Tailscale key", ["tskey-auth-k{an:11}CNTRL-{an:33}", "tskey-api-k{an:11}CNTRL-{an:33}", "tskey-client-k{an:11}CNTRL-{an:33}"], kw=["tskey-"],
      regex=r"(?:^|[^A-Za-z0-9])(tskey-(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{25,40})(?:[^A-Za-z0-9_-]|$)", where="the Tailscale admin console (Settings > Keys)", what="key"),
    R("ngrok-authtoken", "ngrok authtoken", ["2{an:26}_{an:21}"], ctx=["ngrok"], where="the ngrok dashboard (Your Authtoken > Reset)", what="authtoken"),
    R("launchdarkly-sdk-key", "LaunchDarkly SDK key", ["sdk-{uuid}"], where="LaunchDarkly (Account settings > Projects > reset the SDK key)", what="SDK key"),
    R("launchdarkly-access-token", "LaunchDarkly access token", ["api-{uuid}", "mob-{uuid}"], ctx=["launchdarkly", "launch darkly", "ld api", "ld access", "ld mobile"], where="LaunchDarkly (Account settings > Authorization)", what="access token"),
    R("honeycomb-api-key", "Honeycomb API key", ["{an:22}", "{hex:32}"], ctx=["honeycomb"], where="Honeycomb (Environment settings > API keys)", what="API key"),
    R("honeybadger-token", "Honeybadger personal token", ["hbp_{an:36}"], where="Honeybadger (User settings > Authentication)", what="personal token"),
    R("bugsnag-api-key", "Bugsnag API key", ["{hex:32}"], ctx=["bugsnag"], where="Bugsnag (Project settings)", what="API key"),
    R("rollbar-token", "Rollbar access token", ["{hex:32}"], ctx=["rollbar"], where="Rollbar (Project access tokens)", what="access token"),
    R("mezmo-ingestion-key", "Mezmo (LogDNA) ingestion key", ["{hex:32}"], ctx=["logdna", "mezmo"], where="Mezmo (Settings > Organization > API keys)", what="ingestion key"),
    R("loggly-token", "Loggly customer token", ["{uuid}"], ctx=["loggly"], where="Loggly (Source setup > Customer tokens)", what="customer token"),
    R("papertrail-token", "Papertrail API token", ["{an:20}"], ctx=["papertrail"], where="Papertrail (Settings > Profile)", what="API token"),
    R("splunk-hec-token", "Splunk HEC token", ["{uuid}", "{UUID}"], ctx=["splunk"], nomatch=['CHECKSUM_KEY = "3f0c9b2e-8d41-4c7a-9e55-1b6d2f8a7c90"'], where="Splunk (Settings > Data inputs > HTTP Event Collector)", what="HEC token"),
    R("elastic-api-key", "Elastic API key", ["{b64:56,100}"], pad=True, ctx=["elastic", "elasticsearch", "kibana"], where="Kibana (Stack management > API keys)", what="API key"),
    R("circleci-token-legacy", "CircleCI API token", ["{hex:40}"], ctx=["circleci", "circle"], where="CircleCI (User settings > Personal API tokens)", what="API token"),
    R("drone-token", "Drone CI token", ["{an:32}"], ctx=["drone"], where="Drone (Account settings)", what="token"),
    R("codeclimate-reporter-id", "Code Climate test reporter id", ["{hex:64}"], ctx=["codeclimate", "code climate", "cc test reporter"], where="Code Climate (Repo settings > Test coverage)", what="reporter token"),
    R("codacy-token", "Codacy token", ["{an:32}"], ctx=["codacy"], where="Codacy (Account > Access management)", what="API token"),
    R("percy-token", "Percy token", ["{hex:64}", "web_{hex:64}"], ctx=["percy"], where="Percy (Project settings > Tokens)", what="token"),
    R("browserstack-access-key", "BrowserStack access key", ["{an:20}"], ctx=["browserstack"], where="BrowserStack (Account > Settings)", what="access key"),
    R("saucelabs-access-key", "Sauce Labs access key", ["{uuid}"], ctx=["sauce", "saucelabs"], where="Sauce Labs (Account > User settings)", what="access key"),
    R("cypress-record-key", "Cypress Cloud record key", ["{uuid}"], ctx=["cypress record", "cypress"], where="Cypress Cloud (Project settings > Record keys)", what="record key"),
    R("consul-acl-token", "Consul ACL token", ["{uuid}"], ctx=["consul"], where="Consul (consul acl token delete)", what="ACL token"),
    R("nomad-acl-token", "Nomad ACL token", ["{uuid}"], ctx=["nomad"], where="Nomad (nomad acl token delete)", what="ACL token"),
    R("okta-api-token", "Okta API token", ["00{url:40}"], ctx=["okta"], where="the Okta admin console (Security > API > Tokens)", what="API token"),
    R("auth0-client-secret", "Auth0 client secret", ["{url:64}"], ctx=["auth0"], where="the Auth0 dashboard (Applications > your app > Rotate secret)", what="client secret"),
    R("stytch-secret", "Stytch secret", ["secret-live-{url:36}"], where="the Stytch dashboard (API keys)", what="secret"),
    R("rancher-token", "Rancher API token", ["token-{ln:5}:{ln:54}"], where="Rancher (Account & API keys)", what="API token"),
    # ptr_ and the standard base64 of 32 random bytes: 43 characters and one
    # '=' (portainer/portainer, api/apikey/service.go, GenerateApiKey).
    R("portainer-token", "Portainer access token", ["ptr_{b64:43}="], kw=["ptr_"], where="Portainer (My account > Access tokens)", what="access token"),
    R("harbor-robot-secret", "Harbor robot account secret", ["{an:32}"], ctx=["harbor"], where="Harbor (Robot accounts > Refresh secret)", what="robot secret"),
    R("quay-robot-token", "Quay robot token", ["{AN:64}"], ctx=["quay"], where="Quay (Robot accounts > Regenerate token)", what="robot token"),
    R("deepsource-token", "DeepSource personal access token", ["dsp_{hex:40}"], where="DeepSource (Account settings > Tokens)", what="access token"),
    R("chromatic-project-token", "Chromatic project token", ["chpt_{an:14}"], where="Chromatic (Manage > Configure)", what="project token",
      regex=r"(?:^|[^A-Za-z0-9])(chpt_[A-Za-z0-9]{12,})(?:[^A-Za-z0-9_-]|$)"),
    R("hexpm-api-key", "Hex.pm API key", ["{hex:32}"], ctx=["hexpm", "hex api", "hex organization"], where="hex.pm (Dashboard > Keys)", what="API key"),
]
