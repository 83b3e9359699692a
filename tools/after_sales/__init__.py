"""After-sales: returns (RMA), receiving and resolving them, exchanges, satisfaction surveys, warranty claims."""
