resource "random_password" "tunnel_secret" {
  length  = 64
  special = false
}

resource "cloudflare_zero_trust_tunnel_cloudflared" "openclaw" {
  account_id = var.account_id
  name       = {{ cloudflare.tunnel_name|hcl }}
  secret     = base64sha256(random_password.tunnel_secret.result)
}

resource "cloudflare_zero_trust_tunnel_cloudflared_config" "openclaw" {
  account_id = var.account_id
  tunnel_id  = cloudflare_zero_trust_tunnel_cloudflared.openclaw.id

  config {
    ingress_rule {
      hostname = {{ cloudflare.hostname|hcl }}
      service  = {{ gateway_service_url|hcl }}
    }
    ingress_rule {
      service = "http_status:404"
    }
  }
}

# cloudflared reads this through the ExternalSecret openclaw-es (key TUNNEL_TOKEN).
resource "aws_ssm_parameter" "tunnel_token" {
  name        = {{ tunnel_token_path|hcl }}
  description = "Cloudflare Tunnel token for cloudflared (written by Terraform)"
  type        = "SecureString"
  value       = cloudflare_zero_trust_tunnel_cloudflared.openclaw.tunnel_token
{%- if aws.kms_key_alias %}
  key_id      = {{ aws.kms_key_alias|hcl }}
{%- endif %}
}
