resource "cloudflare_record" "openclaw" {
  zone_id = var.zone_id
  name    = {{ record_name|hcl }}
  content = cloudflare_zero_trust_tunnel_cloudflared.openclaw.cname
  type    = "CNAME"
  proxied = true
}
