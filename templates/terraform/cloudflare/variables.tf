{%- for v in cloudflare_variables %}
{%- if not loop.first %}
{% endif %}
variable {{ v.name|hcl }} {
  type        = {{ v.type }}
  description = {{ v.description|hcl }}
{%- if v.default %}
  default     = {{ v.default }}
{%- endif %}
}
{%- endfor %}
