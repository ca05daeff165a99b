//! Where the database comes from: flags, environment, Web.config or sscms.json.
