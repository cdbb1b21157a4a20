"""客服训练营: training and quiz platform for e-commerce customer service."""
