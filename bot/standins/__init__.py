"""Local stand-ins for the WeChat API and the Telegram Bot API (tests, demo mode)."""
