package render

// newsletterHTML is a realistic ~5 KB newsletter: a full document with a style sheet, layout
// tables, five personalisation fields and a VIP block.
const newsletterHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Campaign.name}}</title>
<style>
body { margin: 0; padding: 0; background: #f4f4f4; font-family: Helvetica, Arial, sans-serif; }
.wrapper { width: 100%; background: #f4f4f4; }
.container { width: 600px; margin: 0 auto; background: #ffffff; }
.header { background: #1d3557; color: #ffffff; padding: 24px; text-align: center; }
.header h1 { margin: 0; font-size: 26px; }
.content { padding: 24px; color: #333333; font-size: 16px; line-height: 24px; }
.content h2 { color: #1d3557; font-size: 20px; margin: 24px 0 8px 0; }
.button { display: inline-block; background: #e63946; color: #ffffff; padding: 12px 24px; text-decoration: none; border-radius: 4px; }
.vip { background: #fff3cd; border: 1px solid #ffe08a; padding: 16px; margin: 16px 0; }
.products td { padding: 8px; vertical-align: top; width: 33%; }
.price { color: #e63946; font-weight: bold; }
.small { font-size: 12px; color: #777777; }
@media only screen and (max-width: 620px) {
  .container { width: 100% !important; }
  .products td { display: block !important; width: 100% !important; }
}
a:hover { color: #e63946; }
</style>
</head>
<body>
<table class="wrapper" role="presentation" cellpadding="0" cellspacing="0">
<tr><td>
<table class="container" role="presentation" cellpadding="0" cellspacing="0">
<tr><td class="header">
<h1>The Acme Spring Sale</h1>
<p>Tools that last, prices that don't.</p>
</td></tr>
<tr><td class="content">
<p>Hello {{.Contact.first_name}},</p>
<p>Spring is here and so is our biggest sale of the year. From today until the end of the month
you save up to 30% on drills, saws, sanders and everything you need in your workshop in
{{with .Contact.city}}{{.}}{{else}}your town{{end}}.</p>
{{if .Contact.vip}}
<div class="vip">
<h2>For you, {{.Contact.first_name}}: early access</h2>
<p>As one of our best customers you have {{.Contact.points}} points. Use them before
Sunday and get a further 10% off any order above £50.</p>
</div>
{{end}}
<h2>This week's picks</h2>
<table class="products" role="presentation" cellpadding="0" cellspacing="0">
<tr>
<td><img src="https://cdn.acme.example/drill.jpg" width="180" alt="Cordless drill"><br>
<b>Cordless drill 18V</b><br>Two batteries, fast charger, case.<br><span class="price">£79.00</span></td>
<td><img src="https://cdn.acme.example/saw.jpg" width="180" alt="Circular saw"><br>
<b>Circular saw 1400W</b><br>Laser guide, 48-tooth blade.<br><span class="price">£99.00</span></td>
<td><img src="https://cdn.acme.example/sander.jpg" width="180" alt="Orbital sander"><br>
<b>Orbital sander</b><br>Dust bag, 20 sheets of paper.<br><span class="price">£45.00</span></td>
</tr>
</table>
<p style="text-align:center; margin: 32px 0;">
<a class="button" href="{{.Campaign.shop_url}}?utm_source=newsletter&amp;utm_campaign=spring&amp;c={{.Contact.email}}">Shop the sale</a>
</p>
<h2>Workshop tips</h2>
<ul>
<li>Charge lithium batteries before storing them for the winter.</li>
<li>Change the saw blade when cuts start to burn the wood.</li>
<li>Start sanding with coarse paper and finish with fine.</li>
</ul>
<p>Questions? Reply to this e-mail or call us on 0113 496 0000, Monday to Friday.</p>
<p>Happy building,<br>The Acme team</p>
</td></tr>
<tr><td class="content small">
<p>Prices include VAT. Offer valid while stocks last. Delivery within the UK only.
You can return any product within 30 days.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`

// markdownBody is a Markdown body with actions in text, a link target and conditions.
const markdownBody = `# Hello {{.Contact.first_name}}

Our **{{.Campaign.name}}** is on. [Shop now]({{.Campaign.shop_url}}?c={{.Contact.email}})

{{if eq .Contact.plan "pro"}}
As a *pro* customer you get free delivery.
{{else}}
Upgrade to pro for free delivery.
{{end}}

- drills
- saws {{"&"}} blades
- sanders

Literal braces stay literal: ` + "`{{\"{{\"}}`" + `.
`
