class Clinic < ApplicationRecord
  has_many :patients, dependent: :destroy
  has_many :doctors
  has_many :appointments

  def recalculate_metrics!
    update!(appointments_count: appointments.count)
  end
end
