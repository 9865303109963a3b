# Clears the per-appointment reminder locks every night.
class ReminderLocksCleanupJob < ApplicationJob
  def perform
    Sidekiq.redis do |conn|
      locks = conn.keys("reminder-lock:*")
      conn.del(*locks) if locks.any?
    end
  end
end
