class Patient < ApplicationRecord
  belongs_to :clinic
  has_many :appointments, dependent: :destroy

  after_update :touch_clinic_contact_list, if: :saved_change_to_phone?
  after_commit :refresh_search_index, on: [:create, :update]

  private

  def touch_clinic_contact_list
    clinic.update!(contacts_updated_at: Time.current)
  end

  def refresh_search_index
    SearchIndexJob.perform_later(id)
  end
end
