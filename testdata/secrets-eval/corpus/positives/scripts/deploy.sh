#!/bin/sh
set -eu
curl -sf -H "Authorization: Bearer ewcsk3VutKL6ko87EJ9f+EyY5O8t2EJd6URitJLtfKk67hGuCKlKAHVd9fCnStPMO6u5uau5FLez+ABaY4ZYuQ==" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tfUROHCwEaRcQN6amQlDPdZslIaMZMDHk7NbitkzFTQvUU0B/pwSoh4rZFo1J7sLtHehCD4/ZcEZ3y2QCSfpPbWcCXmbTGg7/hLiClau1eSgwJD9UIrSwvsc1FS7nC69NrFn2Bz2B+Ni9wLjd7wBbDOX37vPqXURemDsJd0yNj4JGtc2Mrt5q9k05EuFzNATnKrhExYIz7WTge0ey9EWIZUNHQ9Fm6WwaAugHK1YJOvtveGDd0tfJH5mzo4K3v7AUGpsOSRrunkf6zMNqTJE3FqaCwj" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer AQVNm2fbV0PaO0sQ6ZjEqCd6X8R1hDpo8KF7thQO0E" https://api.internal.example.net/v1/deploy
./bin/deploy --backblaze-api-key K00uOqxe9CSPRmkyLP5vaivGqgdCm1C --region eu-west-1
curl -sf -H "Authorization: Bearer nfc_xtiTfWczxmZY8sc115FgVpf4Nso9gKg9840B" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer fm1a_DpqKFGdd0RsGU9rfAQDM+PaHU+xXObHr3kqrHxnbLGfODcMFTgO25mT1An4m6gOKYgzicReF9HLvLPnJeu1e1ii95jyhtzoh0D/H6GgUOUsQU1gimCLAX4wjFutfUBGE58qwAu2smc1+hJXnNusenDFpGzzM1GvsX5r/UCsy/VKFxvgR2ISoTKYIDoE0WvJHZmP9q1k9m/iTAN8iB3FV1jFIX1Oa3iLirFA1HkTXn6D436A4EAntJzIejRE7fcQ/XwCvyeJkYP611qlao1bGhvL31Ij0WcaGevtWUz1s6GX5CaVm14OF620Bl+QiAH5KyI/7NN+ak3oFNk+eiM8+ZEySFXC7hGtnchlFXviEP2BgcFc8uvIeECu/ogdAW7fr05YE" https://api.internal.example.net/v1/deploy
./bin/deploy --bitbucket-auth-token 1DZyFNfk4vYZumoHD5kL1vg7jZMjEaOO --region eu-west-1
./bin/deploy --sonar-token 6509872591a981fef559e48ddec846b0f21ab447 --region eu-west-1
curl -sf -H "Authorization: Bearer dt0s16.6T1488ZL03UHF4GEZE3N5L4V.75T97372FZFQANON1ID36BQRJQS9MFSAWTQNCNLFDMY9S1Z3RC5M7WW86VX5F0VV" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer pnb_PNb6EfSrFLIL3PAZ4UG9U7p37FWIqH6ZisvL" https://api.internal.example.net/v1/deploy
./bin/deploy --honeycomb-auth-token b8a14a1e068e4fc5364880bd6c5f71c3 --region eu-west-1
./bin/deploy --codeclimate-secret 1d5674044d8221c558bf743e67dccf681005e6cf4bc6edfaa2e2e5f055a6489e --region eu-west-1
curl -sf -H "Authorization: Bearer token-jhtmc:9z1rbqp5wkbjgf1feq0h0dtk6vypll63zh0rr2s5de81bmr3griz7x" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
./bin/deploy --modal-auth-token as-9D5mgEzWfKiO3MZxyoUOBs --region eu-west-1
curl -sf -H "Authorization: Bearer bb_live_B1ONRGRMwhU5ejcpwsp3ipmUgB6" https://api.internal.example.net/v1/deploy
./bin/deploy --razorpay-token 0NIhSt417HPumnTReec0VnzZ --region eu-west-1
curl -sf -H "Authorization: Bearer Mid-server-akc1vBw3g5cLJSnhvqfsZLuo" https://api.internal.example.net/v1/deploy
./bin/deploy --bybit-api-key XziZhhuBprFkpNpQWKph3SnjZaXjeqRDaVsH --region eu-west-1
./bin/deploy --discord-api-key N4yTpi3q6hBL5lMd5CqQbDYV.C4WO5w.8ZpSGXICsfQwFh_P-FWDW162TgF --region eu-west-1
./bin/deploy --sinch-api-key 7b90757231fbce40ac0af3e004eae73e --region eu-west-1
./bin/deploy --mailtrap-secret faf463d0e1f43dcb2268aed670fa20c6 --region eu-west-1
./bin/deploy --zendesk-token QsJ9joqiAObCPLYmMlhKaeGyNolyaDgg0N7bgQX4 --region eu-west-1
./bin/deploy --webex-secret-key Pyra2o0NLNb6TRETGLe97DdSF6eOdBsZdyf9zeHOFXztvuCkAvMBBU0WqbDKDWdT_TFTM_04bb0c76-18b0-426e-98ea-24e45a85c320 --region eu-west-1
./bin/deploy --twitter-api-key DEvmW4SHKyMtwfdc214t7sC7VSFoUupWJLHEYHDa7EQIUkADod --region eu-west-1
./bin/deploy --asana-token 1/5470651843925146:dec4efd0837583ddd391cf87eb953010 --region eu-west-1
curl -sf -H "Authorization: Bearer pk_21693915_DGWNCI55MCIJZXERE3LMAC476SZUK1PZ" https://api.internal.example.net/v1/deploy
./bin/deploy --linkedin-access-key 9Q0CqwqQvjFggLBA --region eu-west-1
./bin/deploy --typesense-api-key 94nOBhtzZeAPJOVeMLTSrj9w6InSZWD7 --region eu-west-1
./bin/deploy --vimeo-auth-token c8ec1fdaadb23214b7427e03bc8783ab --region eu-west-1
./bin/deploy --clearbit-token sk_b08d1cbd6f1b3e6b7b001f2b84825002 --region eu-west-1
./bin/deploy --azure-client-api-key yxa8Q~NmmQWd_5B2LlmVTcE80bG1ugCj8EyK.7ie --region eu-west-1
curl -sf -H "Authorization: Bearer glpat-GJnnITY3CnB5Xa7vGKdR" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer https://hooks.slack.com/services/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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer rubygems_d4347d25e195d0eff65aa0303147b3bdb92287a7cc50ccd4" https://api.internal.example.net/v1/deploy
./bin/deploy --twilio-auth-token c2bdec32807653ec887d7fa23d5bf28b --region eu-west-1
curl -sf -H "Authorization: Bearer lin_api_oFBP2xC9jtlZUdQsYF2sBIjAeFIRD3EKR0yhhScj" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer sk.eyJ16cVMc29Xp_z_PN0v15IMNSo6_z9HW6EGdmb96OXBRT5KeNRV8aRyUM0kcgAw.EOoVABHYUqxLfoMwsqI91y" https://api.internal.example.net/v1/deploy
