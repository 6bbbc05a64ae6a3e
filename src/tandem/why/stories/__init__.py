"""Impact stories: a goal's period told in sentences, each traced to its evidence ids."""
