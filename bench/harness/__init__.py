"""What every measurement shares: servers, the load generator, the projects, interleaving, statistics."""
