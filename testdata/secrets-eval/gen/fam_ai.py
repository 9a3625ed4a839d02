"""AI and machine-learning APIs."""

from spec import R

HEADER = """# secrets-ai: AI and machine-learning API keys (OpenRouter, xAI, DeepSeek,
# Mistral, Cohere, LangSmith, Langfuse, Pinecone, ElevenLabs, Tavily, NVIDIA,
# Cerebras, Fireworks, Together…). OpenAI, Anthropic, Hugging Face,
# Replicate, Groq and Perplexity are in secrets.yml.
#
# Prefixed formats block on their own; formats without a prefix block only
# where a key, variable, header or flag names the provider and a credential
# word, with entropy and stopwords against placeholders."""

RULES = [
    R("openrouter-api-key", "OpenRouter API key", ["sk-or-v1-{hex:64}"], where="OpenRouter (Settings > Keys)", what="API key"),
    R("xai-api-key", "xAI API key", ["xai-{an:80}"], where="the xAI console (API keys)", what="API key"),
    R("deepseek-api-key", "DeepSeek API key", ["sk-{hex:32}"], ctx=["deepseek"], where="the DeepSeek platform (API keys)", what="API key"),
    R("mistral-api-key", "Mistral AI API key", ["{an:32}"], ctx=["mistral"], where="Mistral La Plateforme (API keys)", what="API key"),
    R("cohere-api-key", "Cohere API key", ["{an:40}"], ctx=["cohere"], where="the Cohere dashboard (API keys)", what="API key"),
    R("langsmith-api-key", "LangSmith API key", ["lsv2_pt_{hex:32}_{hex:10}", "lsv2_sk_{hex:32}_{hex:10}"], where="LangSmith (Settings > API keys)", what="API key"),
    R("langfuse-secret-key", "Langfuse secret key", ["sk-lf-{uuid}"], where="Langfuse (Project settings > API keys)", what="secret key"),
    R("pinecone-api-key", "Pinecone API key", ["pcsk_{an:6}_{an:63}"], where="the Pinecone console (API keys)", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,})(?:[^A-Za-z0-9_-]|$)"),
    R("pinecone-api-key-legacy", "Pinecone API key", ["{uuid}"], ctx=["pinecone"], where="the Pinecone console (API keys)", what="API key"),
    R("elevenlabs-api-key", "ElevenLabs API key", ["sk_{hex:48}", "{hex:32}"], ctx=["elevenlabs", "eleven labs", "xi api"], where="ElevenLabs (Profile > API keys)", what="API key"),
    R("assemblyai-api-key", "AssemblyAI API key", ["{hex:32}"], ctx=["assemblyai", "assembly ai"], where="the AssemblyAI dashboard", what="API key"),
    R("fireworks-api-key", "Fireworks AI API key", ["fw_{an:24}"], where="Fireworks AI (Account > API keys)", what="API key"),
    R("together-api-key", "Together AI API key", ["tgp_v1_{url:43}", "{hex:64}"], ctx=["together", "togetherai"], where="Together AI (Settings > API keys)", what="API key"),
    R("voyage-api-key", "Voyage AI API key", ["pa-{url:43}"], ctx=["voyage"], where="the Voyage AI dashboard (API keys)", what="API key"),
    R("tavily-api-key", "Tavily API key", ["tvly-{an:32}", "tvly-dev-{an:32}", "tvly-prod-{an:32}"], kw=["tvly-"], where="the Tavily dashboard", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(tvly-(?:dev-|prod-)?[A-Za-z0-9]{32})(?:[^A-Za-z0-9_-]|$)"),
    R("firecrawl-api-key", "Firecrawl API key", ["fc-{hex:32}"], where="the Firecrawl dashboard (API keys)", what="API key"),
    R("exa-api-key", "Exa API key", ["{uuid}"], ctx=["exa api", "exa search", "exasearch"], where="the Exa dashboard (API keys)", what="API key"),
    R("wandb-api-key", "Weights & Biases API key", ["{hex:40}"], ctx=["wandb", "weights and biases"], where="https://wandb.ai/authorize (User settings > API keys)", what="API key"),
    R("cerebras-api-key", "Cerebras API key", ["csk-{ln:48}"], where="the Cerebras cloud console (API keys)", what="API key"),
    R("nvidia-api-key", "NVIDIA API key", ["nvapi-{url:64}"], where="NVIDIA NGC / build.nvidia.com (API keys)", what="API key"),
    R("ai21-api-key", "AI21 API key", ["{an:32}"], ctx=["ai21"], where="AI21 Studio (Account > API key)", what="API key"),
    R("stability-api-key", "Stability AI API key", ["sk-{an:48}"], ctx=["stability", "dreamstudio", "stability ai"], where="Stability AI (Account > API keys)", what="API key"),
    R("runpod-api-key", "RunPod API key", ["rpa_{AN:44}", "{AN:32}"], ctx=["runpod"], where="RunPod (Settings > API keys)", what="API key"),
    R("modal-token-secret", "Modal token secret", ["as-{an:22}"], ctx=["modal"], where="Modal (Settings > API tokens)", what="token secret"),
    R("deepgram-api-key", "Deepgram API key", ["{hex:40}"], ctx=["deepgram"], where="the Deepgram console (API keys)", what="API key"),
    R("jina-api-key", "Jina AI API key", ["jina_{an:60}"], where="Jina AI (API keys)", what="API key"),
    # sk- keys read and write, pk- keys write only (docs.helicone.ai, Helicone
    # Auth); Helicone's generateAPIKeyHelper adds -eu (EU region), -cp
    # (customer portal, without -helicone in newer versions) and -gov before
    # four dash-separated groups of 7 lower-case base32 characters.
    R("helicone-api-key", "Helicone API key", ["sk-helicone-{ln:7}-{ln:7}-{ln:7}-{ln:7}", "sk-helicone-eu-{ln:7}-{ln:7}-{ln:7}-{ln:7}", "sk-cp-{ln:7}-{ln:7}-{ln:7}-{ln:7}"],
      kw=["sk-helicone-", "sk-cp-", "sk-eu-cp-"], where="Helicone (Settings > API keys)", what="API key",
      regex=r"(?:^|[^A-Za-z0-9])(sk-(?:helicone(?:-eu)?(?:-cp)?|(?:eu-)?cp)(?:-gov)?-(?:[a-z0-9]{7}-){3}[a-z0-9]{7})(?:[^A-Za-z0-9_-]|$)"),
    R("portkey-api-key", "Portkey API key", ["{url:32}"], ctx=["portkey"], where="Portkey (API keys)", what="API key"),
    R("clarifai-pat", "Clarifai personal access token", ["{hex:32}"], ctx=["clarifai"], where="Clarifai (Settings > Security)", what="access token"),
    R("qdrant-api-key", "Qdrant API key", ["{url:32,64}"], ctx=["qdrant"], where="Qdrant Cloud (Access management)", what="API key"),
    R("weaviate-api-key", "Weaviate API key", ["{an:36,44}"], ctx=["weaviate"], where="Weaviate Cloud (Cluster > API keys)", what="API key"),
    R("kaggle-api-key", "Kaggle API key", ["{hex:32}"], ctx=["kaggle"], where="Kaggle (Settings > API > Expire token)", what="API key"),
    R("roboflow-api-key", "Roboflow API key", ["{an:20}"], ctx=["roboflow"], where="Roboflow (Workspace settings > API keys)", what="API key"),
    R("scale-ai-api-key", "Scale AI API key", ["live_{hex:32}"], ctx=["scale ai", "scaleapi"], where="Scale AI (Dashboard > API keys)", what="API key"),
    R("e2b-api-key", "E2B API key", ["e2b_{hex:40}"], where="the E2B dashboard (Keys)", what="API key"),
    R("browserbase-api-key", "Browserbase API key", ["bb_live_{url:27}"], where="Browserbase (Settings > API keys)", what="API key"),
    R("brave-search-api-key", "Brave Search API key", ["BSA{an:28}", "{url:31}"], ctx=["brave"], where="the Brave Search API dashboard", what="API key"),
    R("serpapi-key", "SerpApi key", ["{hex:64}"], ctx=["serpapi", "serp api"], where="SerpApi (Manage API key)", what="API key"),
]
