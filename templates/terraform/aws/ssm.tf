# One SecureString per secret, created as "dummy": the real values are written by
# `clawboot secrets seed` (or by hand) and Terraform never reads or reverts them.
{%- for p in ssm_parameters %}

resource "aws_ssm_parameter" {{ p.resource|hcl }} {
  name        = {{ p.path|hcl }}
  description = {{ p.description|hcl }}
  type        = "SecureString"
  value       = "dummy"
{%- if aws.kms_key_alias %}
  key_id      = {{ aws.kms_key_alias|hcl }}
{%- endif %}

  lifecycle {
    ignore_changes = [value]
  }
}
{%- endfor %}
