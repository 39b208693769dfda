resource "cloudflare_zero_trust_access_application" "openclaw" {
  zone_id                   = var.zone_id
  name                      = {{ ("Access application for " ~ cloudflare.hostname)|hcl }}
  domain                    = {{ cloudflare.hostname|hcl }}
  type                      = "self_hosted"
  session_duration          = {{ cloudflare.access_session_duration|hcl }}
  allowed_idps              = [var.github_identity_provider_id]
  auto_redirect_to_identity = true
}

resource "cloudflare_zero_trust_access_policy" "openclaw" {
  application_id = cloudflare_zero_trust_access_application.openclaw.id
  zone_id        = var.zone_id
  name           = {{ ("GitHub login for " ~ cloudflare.hostname)|hcl }}
  precedence     = 1
  decision       = "allow"

  include {
    email = var.access_allowed_emails
  }

  require {
    login_method = [var.github_identity_provider_id]
  }
}
