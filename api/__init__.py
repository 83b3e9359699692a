"""HTTP faces of Shopcrew: REST tool routes, chat endpoints and the chat page."""
