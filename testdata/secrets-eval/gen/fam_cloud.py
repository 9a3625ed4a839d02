"""Cloud, hosting and infrastructure providers."""

import fmt
from spec import R

_r = fmt.rng_for("cloud-extra")

HEADER = """# secrets-cloud: cloud, hosting, CDN and infrastructure credentials (Azure
# identifiable keys and connection strings, AWS Bedrock and session tokens,
# Google OAuth, Tencent, Yandex, Fly.io, Netlify, Vercel, Render, Deno, Neon…).
#
# Prefixed formats and Microsoft's identifiable keys (a fixed signature such
# as AZSt or +ACR at a fixed offset) block on their own; formats without a
# prefix block only where a key, variable, header or flag names the provider
# and a credential word, with entropy and stopwords against placeholders."""

AZ = "the Azure portal (regenerate the key of the resource)"
SAS_B64 = "{b64:43}"

RULES = [
    R("cisco-meraki-api-key", "Cisco Meraki Dashboard API key", ["{hex:40}"], ctx=["meraki"], where="the Meraki dashboard (My profile > API access: revoke the key)", what="API key"),
    R("azure-storage-key-identifiable", "Azure Storage account key", ["{b64:76}AZSt{b64:5}{aqgw:1}=="], kw=["azst"], where=AZ, what="access key"),
    R("azure-cosmosdb-key-identifiable", "Azure Cosmos DB key", ["{b64:76}ACDb{b64:5}{aqgw:1}=="], kw=["acdb"], where=AZ, what="account key"),
    R("azure-service-bus-key", "Azure Service Bus key", ["{b64:33}+ASb{b64:5}{aeim:1}="], kw=["+asb"], where=AZ, what="shared access key"),
    R("azure-event-hubs-key", "Azure Event Hubs key", ["{b64:33}+AEh{b64:5}{aeim:1}="], kw=["+aeh"], where=AZ, what="shared access key"),
    R("azure-relay-key", "Azure Relay key", ["{b64:33}+ARm{b64:5}{aeim:1}="], kw=["+arm"], where=AZ, what="shared access key"),
    R("azure-iot-key", "Azure IoT Hub key", ["{b64:33}AIoT{b64:5}{aeim:1}="], kw=["aiot"], where=AZ, what="shared access key"),
    R("azure-function-key", "Azure Functions key", ["{url:44}AzFu{url:5}{aqgw:1}=="], kw=["azfu"], where=AZ, what="function key"),
    R("azure-search-key", "Azure AI Search key", ["{an:42}AzSe{AD:1}{an:5}"], kw=["azse"], where=AZ, what="admin or query key"),
    R("azure-container-registry-key", "Azure Container Registry password", ["{b64:42}+ACR{b64:6}"], kw=["+acr"], where=AZ, what="access key"),
    R("azure-apim-key", "Azure API Management key", ["{an:76}APIM{an:5}{aqgw:1}=="], kw=["apim"], where=AZ, what="subscription key"),
    R("azure-cache-redis-key", "Azure Cache for Redis key", ["{an:33}AzCa{AP:1}{an:5}="], kw=["azca"], where=AZ, what="access key"),
    R("azure-batch-key", "Azure Batch key", ["{b64:76}+ABa{b64:5}{aqgw:1}=="], kw=["+aba"], where=AZ, what="account key"),
    R("azure-cask-key", "Azure common annotated security key", ["{an:52}JQQJ9{DH:1}{an:1}{AL:1}{an:16}{L:1}{an:7}", "{an:52}JQQJ9{DH:1}{an:1}{AL:1}{an:16}AZDO{an:4}"],
      kw=["jqqj9"], where=AZ, what="key (Azure DevOps PAT, Cognitive Services, Event Grid…)",
      desc="Azure common annotated security key (84 characters with the JQQJ9 signature): new Azure DevOps PATs, AI services, Event Grid and others."),
    R("azure-devops-pat", "Azure DevOps personal access token", ["{b32:52}"], ctx=["azure devops", "azdo", "vsts", "ado", "devops"],
      where="Azure DevOps (User settings > Personal access tokens)", what="token"),
    R("azure-sas-token", "Azure shared access signature", [], noauto=True, kw=["sig="], what="SAS token", where=AZ + " (rotate the key that signed it)",
      regex=r"(?i:[?&;=]sv=\d{4}-\d\d-\d\d&[^\s\"'<>]{0,}?\bsig=)([A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})",
      match=["https://acct.blob.core.windows.net/uploads/report.csv?sv=2022-11-02&ss=b&srt=co&sp=rwl&se=2026-12-31T00:00:00Z&st=2025-01-01T00:00:00Z&spr=https&sig=Qx4PmC7Nf2Rb9TkWz1LdV8yHs3GjE6aUo0KcXi5BnY%3D",
             "AZURE_STORAGE_SAS=\"?sv=2021-06-08&ss=bfqt&srt=sco&sp=rwdlacupiytfx&se=2026-01-01T08:00:00Z&sig=r7XkP2qN9vLm4TzB8wHc1YsD6fJgE3aUoK0iQ5nRtV%2BpZ%3D\"",
             "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2020-08-04&ss=b&srt=sco&sp=rl&se=2026-05-01&sig=Hv9sL2mQ7xKp4TbR1zWc8NfD3yGj6EaUo0XiB5nCtS="],
      nomatch=["https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=<signature>",
               "https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX%3D",
               "url = base + '?sv=' + version + '&sig=' + signature"]),
    R("azure-shared-access-key", "Azure shared access key", [], noauto=True, allow=[r"(?:\+ASb|\+AEh|\+ARm|AIoT)[A-Za-z0-9+/]{5}[AEIMQUYcgkosw048]=$"], kw=["sharedaccesskey=", "accesskey="], where=AZ, what="key in a connection string",
      regex=r"(?i:SharedAccessKey|;AccessKey|^AccessKey|Endpoint=[^;\s]{1,};AccessKey)=([A-Za-z0-9+/]{42,43}=|[A-Za-z0-9+/]{86}==)",
      match=["Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=kP3xR8mN2vQ7tL5wZ9cB4hJ6fD1gS0aYeUoKiXnT1E4=",
             'ConnectionString: "endpoint=https://chat.communication.azure.com/;accesskey=%s"' % fmt.make("{b64:86}==", _r)],
      nomatch=["Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=<key>",
               "SharedAccessKey=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX="]),
    R("azure-container-registry-password", "Azure Container Registry password", ["{b64:32}"], ctx=["acr", "azurecr", "container registry"],
      where=AZ, what="password"),
    R("azure-cognitive-services-key", "Azure AI services key", ["{hex:32}"], ctx=["azure openai", "azure cognitive", "cognitive services", "azure ai", "ocp apim subscription", "azure speech", "azure translator"],
      where=AZ, what="key"),
    R("aws-bedrock-api-key", "AWS Bedrock API key", ["ABSKQmVkcm9ja0FQSUtleS{b64:100,200}", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{b64:150,600}"],
      kw=["absk", "bedrock-api-key-"], pad=True, where="the AWS console (IAM > Users > Bedrock API keys)", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{100,}={0,2})(?:[^A-Za-z0-9+/=]|$)"),
    R("aws-session-token", "AWS session token", ["IQoJb3JpZ2luX2Vj{b64:200,400}", "FwoGZXIvYXdzE{b64:200,400}"], kw=["iqojb3jpz2lux2vj", "fwogzxivyxdze"], pad=True,
      where="AWS (revoke the role's active sessions in IAM)", what="temporary session token"),
    R("aws-mws-key", "Amazon MWS auth token", ["amzn.mws.{uuid}"], where="Amazon Seller Central", what="auth token"),
    R("gcp-oauth-client-secret", "Google OAuth client secret", ["GOCSPX-{url:28}"], where="the Google Cloud console (APIs & Services > Credentials)", what="client secret"),
    R("gcp-oauth-access-token", "Google OAuth access token", ["ya29.{tok:100,220}"], where="Google (https://myaccount.google.com/permissions)", what="access token"),
    R("gcp-oauth-refresh-token", "Google OAuth refresh token", ["1//0{url:60,100}"], where="Google (https://myaccount.google.com/permissions)", what="refresh token"),
    R("firebase-fcm-server-key", "Firebase Cloud Messaging server key", ["AAAA{url:7}:APA91b{url:134}"], kw=[":apa91b"], where="the Firebase console (Project settings > Cloud Messaging)", what="server key"),
    R("alibaba-access-key-secret", "Alibaba Cloud AccessKey secret", ["{an:30}"], ctx=["alibaba", "aliyun", "alicloud"], where="the Alibaba Cloud RAM console", what="AccessKey secret"),
    R("tencent-cloud-secret-id", "Tencent Cloud SecretId", ["AKID{an:32}"], where="the Tencent Cloud CAM console", what="API key"),
    R("tencent-cloud-secret-key", "Tencent Cloud SecretKey", ["{an:32}"], ctx=["tencent", "tencentcloud", "qcloud", "tccli"], where="the Tencent Cloud CAM console", what="SecretKey"),
    R("huawei-cloud-secret-key", "Huawei Cloud secret access key", ["{an:40}"], ctx=["huawei", "huaweicloud", "obs secret"], where="the Huawei Cloud IAM console", what="secret access key"),
    R("yandex-cloud-api-key", "Yandex Cloud API key", ["AQVN{url:35,38}"], where="the Yandex Cloud console", what="API key"),
    R("yandex-cloud-access-key", "Yandex Cloud static access key secret", ["YC{url:38}"], ctx=["yandex", "yc secret", "yc access"], where="the Yandex Cloud console", what="static access key"),
    R("yandex-oauth-token", "Yandex OAuth token", ["y0_{url:55}", "y1_{url:55}", "y3_{url:55}"], kw=["y0_", "y1_", "y2_", "y3_"], where="Yandex OAuth", what="OAuth token",
      regex=r"(?:^|[^A-Za-z0-9])(y[0-3]_[A-Za-z0-9_-]{55})(?:[^A-Za-z0-9_-]|$)"),
    R("digitalocean-spaces-secret", "DigitalOcean Spaces secret key", ["{b64:43}"], ctx=["spaces", "digitalocean", "do spaces"], where="the DigitalOcean control panel (API > Spaces keys)", what="secret key"),
    R("linode-token", "Linode/Akamai Cloud personal access token", ["{hex:64}"], ctx=["linode"], where="Linode Cloud Manager (API Tokens)", what="token"),
    R("vultr-api-key", "Vultr API key", ["{AN:36}"], ctx=["vultr"], where="the Vultr customer portal (Account > API)", what="API key"),
    R("hetzner-cloud-token", "Hetzner Cloud API token", ["{an:64}"], ctx=["hetzner", "hcloud"], where="the Hetzner Cloud console (Security > API tokens)", what="API token"),
    R("scaleway-secret-key", "Scaleway secret key", ["{uuid}"], ctx=["scaleway", "scw"], where="the Scaleway console (IAM > API keys)", what="secret key"),
    R("ovh-application-secret", "OVHcloud application secret", ["{an:32}"], ctx=["ovh"], where="the OVHcloud API console", what="application secret"),
    R("exoscale-api-secret", "Exoscale API secret", ["{url:43}"], ctx=["exoscale"], where="the Exoscale portal (IAM > Keys)", what="API secret"),
    R("backblaze-b2-application-key", "Backblaze B2 application key", ["K00{b64:28}"], ctx=["backblaze", "b2 application", "b2 app"], where="the Backblaze web console (App Keys)", what="application key"),
    R("wasabi-secret-key", "Wasabi secret access key", ["{AN:40}"], ctx=["wasabi"], where="the Wasabi console (Access keys)", what="secret key"),
    R("civo-api-key", "Civo API key", ["{an:50}"], ctx=["civo"], where="the Civo dashboard (Settings > Profile > Security)", what="API key"),
    R("equinix-metal-token", "Equinix Metal API token", ["{an:32}"], ctx=["equinix", "metal auth", "packet"], where="the Equinix Metal console", what="API token"),
    # Scannable formats (developers.cloudflare.com, Token formats): cfk_ global
    # API key, cfut_ user token, cfat_ account token, each 40 characters and a
    # checksum (8 hexadecimal digits in trufflehog's cloudflareapitoken v2).
    R("cloudflare-user-token", "Cloudflare API token or global API key", ["cfut_{an:40}{hex:8}", "cfat_{an:40}{hex:8}", "cfk_{an:40}{hex:8}"], kw=["cfut_", "cfat_", "cfk_"],
      where="the Cloudflare dashboard (My Profile > API Tokens, or Manage Account > API Tokens)", what="API token"),
    R("cloudflare-tunnel-token", "Cloudflare Tunnel token", ["eyJhIjoi{b64:150,250}"], pad=True, where="the Cloudflare Zero Trust dashboard (rotate the tunnel's token)", what="tunnel token"),
    R("fastly-api-token", "Fastly API token", ["{url:32}"], ctx=["fastly"], where="the Fastly console (Account > API tokens)", what="API token"),
    R("akamai-edgegrid-token", "Akamai EdgeGrid client or access token", ["akab-{ln:16}-{ln:16}"], where="Akamai Control Center (Identity & Access > API clients)", what="EdgeGrid token"),
    R("akamai-edgegrid-secret", "Akamai EdgeGrid client secret", ["{b64:43}="], ctx=["akamai", "client secret", "edgegrid"], where="Akamai Control Center (Identity & Access > API clients)", what="client secret"),
    R("bunny-api-key", "bunny.net API key", ["{uuid}"], ctx=["bunnycdn", "bunny net", "bunny"], where="the bunny.net dashboard (Account > API)", what="API key"),
    R("netlify-token", "Netlify access token", ["nfp_{an:36}", "nfc_{an:36}", "nfo_{an:36}"], kw=["nfp_", "nfc_", "nfo_", "nfu_"], where="Netlify (User settings > Applications > Personal access tokens)", what="access token",
      regex=r"(?:^|[^A-Za-z0-9])(nf[pcou]_[A-Za-z0-9_]{36,40})(?:[^A-Za-z0-9_-]|$)"),
    R("netlify-token-legacy", "Netlify access token", ["{url:43}"], ctx=["netlify"], where="Netlify (User settings > Applications > Personal access tokens)", what="access token"),
    R("vercel-token", "Vercel token", ["vcp_{an:56}", "vci_{an:56}", "vca_{an:56}", "vcr_{an:56}", "vck_{an:56}"], kw=["vcp_", "vci_", "vca_", "vcr_", "vck_"], where="Vercel (Account settings > Tokens)", what="token",
      # vcp_ personal, vci_ integration, vca_ app access, vcr_ app refresh,
      # vck_ API key (vercel.com/changelog/new-token-formats-and-secret-scanning).
      regex=r"(?:^|[^A-Za-z0-9])(vc[pikra]_[A-Za-z0-9]{24,})(?:[^A-Za-z0-9_-]|$)"),
    R("vercel-token-legacy", "Vercel token", ["{an:24}"], ctx=["vercel", "now token", "zeit"], where="Vercel (Account settings > Tokens)", what="token"),
    R("render-api-key", "Render API key", ["rnd_{an:32}"], where="the Render dashboard (Account settings > API keys)", what="API key"),
    R("railway-token", "Railway token", ["{uuid}"], ctx=["railway"], where="the Railway dashboard (Account > Tokens)", what="token"),
    R("flyio-macaroon", "Fly.io token", ["fm2_{b64:200,400}", "fm1a_{b64:200,400}", "fm1r_{b64:200,400}"], kw=["fm1a_", "fm1r_", "fm2_"], pad=True,
      where="Fly.io (fly tokens revoke, or the dashboard's Tokens page)", what="token",
      regex=r"(?:^|[^A-Za-z0-9])(fm(?:1[ar]|2)_[A-Za-z0-9+/]{100,}={0,2})(?:[^A-Za-z0-9+/=]|$)"),
    R("deno-deploy-token", "Deno Deploy token", ["ddp_{an:36}", "ddw_{an:36}"], where="the Deno Deploy dashboard (Account settings > Access tokens)", what="access token"),
    R("neon-api-key", "Neon API key", ["napi_{ln:64}"], where="the Neon console (Account settings > API keys)", what="API key"),
    R("upstash-token", "Upstash token", ["{url:40,100}"], ctx=["upstash"], where="the Upstash console", what="REST or management token"),
    R("mongodb-atlas-private-key", "MongoDB Atlas API private key", ["{uuid}"], ctx=["mongodb atlas", "mongodbatlas", "atlas private", "mongo atlas"], where="MongoDB Atlas (Organization Access Manager > API keys)", what="private key"),
    R("openshift-token", "OpenShift user token", ["sha256~{url:43}"], where="OpenShift (oc logout, or delete the OAuthAccessToken)", what="user token"),
    R("firebase-database-secret", "Firebase database secret", ["{an:40}"], ctx=["firebase"], where="the Firebase console (Project settings > Service accounts > Database secrets)", what="database secret"),
    R("oracle-cloud-auth-token", "Oracle Cloud auth token", ["{tok:20}"], ctx=["oci auth", "oci cli", "oci api", "oracle cloud"], ent=3.5, where="the OCI console (User settings > Auth tokens)", what="auth token"),
]
