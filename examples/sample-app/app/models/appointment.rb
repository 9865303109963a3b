class Appointment < ApplicationRecord
  include Notifiable

  belongs_to :patient, touch: true
  belongs_to :doctor
  belongs_to :clinic

  after_save :sync_calendar
  after_create :schedule_reminder
  after_update_commit :expire_cache

  private

  def sync_calendar
    response = Faraday.post("https://calendar.example.com/events", { starts_at: starts_at }.to_json)
    update_column(:calendar_event_id, JSON.parse(response.body)["id"])
  end

  def schedule_reminder
    ReminderJob.set(wait_until: starts_at - 1.day).perform_later(id)
  end

  def expire_cache
    Rails.cache.delete("clinic/#{clinic_id}/schedule")
    clinic.recalculate_metrics!
  end
end
