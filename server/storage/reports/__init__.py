"""Report facts and the pre-aggregated counts behind the Reports page, on both stores."""
