{#- The PDF edition's title page (mkdocs.yml, print-site's cover_page_template). -#}
<div class="nns-cover">
  <h1 class="nns-cover__title">{{ config.site_name }}</h1>
  <p class="nns-cover__subtitle">{{ config.site_description }}</p>
  <p class="nns-cover__note">The teaching pages of the site, in the order of its
    navigation, with every equation numbered as on screen.</p>
  <p class="nns-cover__address">{{ config.site_url }}</p>
</div>
