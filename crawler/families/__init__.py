"""One base spider per CMS family: the URL shapes and markup that several newspapers share."""
